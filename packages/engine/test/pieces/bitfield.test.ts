import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../src/pieces/bitfield.js';

describe('Bitfield', () => {
  it('uses BEP 3 bit order: the high bit of byte 0 is piece 0', () => {
    const bitfield = new Bitfield(12);
    bitfield.set(0);
    bitfield.set(9);
    expect([...bitfield.toBytes()]).toEqual([0x80, 0x40]);
    expect(bitfield.get(0)).toBe(true);
    expect(bitfield.get(1)).toBe(false);
    expect(bitfield.get(9)).toBe(true);
  });

  it('keeps count up to date through repeated set and clear', () => {
    const bitfield = new Bitfield(10);
    bitfield.set(3);
    bitfield.set(3);
    bitfield.set(7);
    expect(bitfield.count()).toBe(2);
    bitfield.clear(3);
    bitfield.clear(3);
    expect(bitfield.count()).toBe(1);
    expect(bitfield.hasNone()).toBe(false);
    bitfield.clear(7);
    expect(bitfield.hasNone()).toBe(true);
  });

  it('full() sets every bit and leaves the spare bits zero', () => {
    const bitfield = Bitfield.full(10);
    expect([...bitfield.toBytes()]).toEqual([0xff, 0xc0]);
    expect(bitfield.hasAll()).toBe(true);
    expect(bitfield.count()).toBe(10);
    expect(Bitfield.full(16).toBytes()).toEqual(new Uint8Array([0xff, 0xff]));
    expect(Bitfield.full(0).hasAll()).toBe(true);
  });

  it('reads the wire form and counts it', () => {
    const bitfield = Bitfield.fromBytes(new Uint8Array([0b1010_0000, 0b1000_0000]), 9);
    expect(bitfield.count()).toBe(3);
    expect([0, 1, 2, 8].map((index) => bitfield.get(index))).toEqual([true, false, true, true]);
  });

  it('hostile peer: a bitfield of the wrong byte length is rejected', () => {
    for (const length of [1, 3]) {
      expect(() => Bitfield.fromBytes(new Uint8Array(length), 9)).toThrow(
        expect.objectContaining({ code: 'BITFIELD_BAD_LENGTH' }),
      );
    }
  });

  it('hostile peer: a bitfield with spare bits set is rejected', () => {
    expect(() => Bitfield.fromBytes(new Uint8Array([0xff, 0x40]), 9)).toThrow(
      expect.objectContaining({ code: 'BITFIELD_SPARE_BITS' }),
    );
    expect(() => Bitfield.fromBytes(new Uint8Array([0xff, 0x80]), 9)).not.toThrow();
  });

  it('copies: changing a clone or the source bytes does not change the original', () => {
    const bytes = new Uint8Array([0x80]);
    const bitfield = Bitfield.fromBytes(bytes, 8);
    bytes[0] = 0xff;
    const clone = bitfield.clone();
    clone.set(5);
    expect(bitfield.count()).toBe(1);
    expect(clone.count()).toBe(2);
    bitfield.toBytes()[0] = 0;
    expect(bitfield.get(0)).toBe(true);
  });

  it('rejects an index out of range and a bad length', () => {
    const bitfield = new Bitfield(8);
    for (const index of [-1, 8, 1.5]) {
      expect(() => bitfield.get(index)).toThrow(
        expect.objectContaining({ code: 'BITFIELD_INDEX_OUT_OF_RANGE' }),
      );
    }
    expect(() => new Bitfield(-1)).toThrow(expect.objectContaining({ code: 'BITFIELD_BAD_LENGTH' }));
  });

  it('visits the set bits in order', () => {
    const bitfield = Bitfield.fromBytes(new Uint8Array([0x00, 0x81, 0x80]), 17);
    const visited: number[] = [];
    bitfield.forEachSet((index) => visited.push(index));
    expect(visited).toEqual([8, 15, 16]);
  });

  it('property: fromBytes ∘ toBytes is the identity and count equals the set bits', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 100 }), (flags) => {
        const bitfield = new Bitfield(flags.length);
        flags.forEach((flag, index) => {
          if (flag) bitfield.set(index);
        });
        const copy = Bitfield.fromBytes(bitfield.toBytes(), flags.length);
        expect(copy.count()).toBe(flags.filter(Boolean).length);
        expect(flags.map((_, index) => copy.get(index))).toEqual(flags);
        expect(copy.hasAll()).toBe(flags.every(Boolean));
      }),
    );
  });
});
