import { describe, expect, it } from 'vitest';
import {
  encodeHandshake,
  HANDSHAKE_LENGTH,
  reservedBits,
  supportsDht,
  supportsExtended,
  supportsFast,
  WireError,
} from '../../src/wire/index.js';
import { filled } from './helpers.js';

describe('handshake encoding (BEP 3)', () => {
  it('lays out <19>"BitTorrent protocol"<reserved><info hash><peer id> in 68 bytes', () => {
    const reserved = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const infoHash = filled(20, 1);
    const peerId = filled(20, 2);
    const bytes = encodeHandshake({ reserved, infoHash, peerId });
    expect(bytes.length).toBe(HANDSHAKE_LENGTH);
    expect(bytes[0]).toBe(19);
    expect(new TextDecoder().decode(bytes.subarray(1, 20))).toBe('BitTorrent protocol');
    expect(bytes.subarray(20, 28)).toEqual(reserved);
    expect(bytes.subarray(28, 48)).toEqual(infoHash);
    expect(bytes.subarray(48, 68)).toEqual(peerId);
  });

  it.each([
    ['reserved', { reserved: new Uint8Array(7), infoHash: new Uint8Array(20), peerId: new Uint8Array(20) }],
    ['infoHash', { reserved: new Uint8Array(8), infoHash: new Uint8Array(32), peerId: new Uint8Array(20) }],
    ['peerId', { reserved: new Uint8Array(8), infoHash: new Uint8Array(20), peerId: new Uint8Array(19) }],
  ])('refuses a %s field of the wrong size', (field, handshake) => {
    expect(() => encodeHandshake(handshake)).toThrow(WireError);
    expect(() => encodeHandshake(handshake)).toThrow(field);
  });
});

describe('reserved bits', () => {
  it('sets the BEP 10 bit (byte 5, 0x10), the BEP 6 bit (byte 7, 0x04) and the DHT bit (byte 7, 0x01)', () => {
    expect(reservedBits({})).toEqual(new Uint8Array(8));
    expect(reservedBits({ extended: true })).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0x10, 0, 0]));
    expect(reservedBits({ fast: true })).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x04]));
    expect(reservedBits({ dht: true })).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x01]));
    expect(reservedBits({ extended: true, fast: true, dht: true })).toEqual(
      Uint8Array.from([0, 0, 0, 0, 0, 0x10, 0, 0x05]),
    );
  });

  it('reads each flag independently of the others', () => {
    for (const extended of [false, true]) {
      for (const fast of [false, true]) {
        for (const dht of [false, true]) {
          const reserved = reservedBits({ extended, fast, dht });
          expect([supportsExtended(reserved), supportsFast(reserved), supportsDht(reserved)]).toEqual([
            extended,
            fast,
            dht,
          ]);
        }
      }
    }
  });

  it('ignores unrelated bits (e.g. a peer with every other bit set)', () => {
    const reserved = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff, 0xfa]);
    expect(supportsExtended(reserved)).toBe(false);
    expect(supportsFast(reserved)).toBe(false);
    expect(supportsDht(reserved)).toBe(false);
  });
});
