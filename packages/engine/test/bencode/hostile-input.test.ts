// Hostile input: every case must end in a BencodeError with a stable code and a sensible offset, quickly and
// without allocating what the input claims.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BENCODE_DEFAULT_MAX_ITEMS,
  type BencodeDict,
  BencodeError,
  decode,
  decodePrefix,
  encode,
} from '../../src/bencode/index.js';
import { BitloomError } from '../../src/errors.js';
import { b, bencodeErrorOf, bencodeValue } from './helpers.js';

const expectError = (input: string, code: string, offset: number, strict = false) => {
  const error = bencodeErrorOf(() => decode(b(input), { strict }));
  expect({ code: error.code, offset: error.offset }).toEqual({ code, offset });
};

describe('decode: hostile input', () => {
  it('100,000 nested lists give a clean depth error, no stack overflow', () => {
    const input = b(`${'l'.repeat(100_000)}${'e'.repeat(100_000)}`);
    const error = bencodeErrorOf(() => decode(input));
    expect(error.code).toBe('BENCODE_DEPTH_EXCEEDED');
    expect(error.offset).toBe(100);
  });

  it('100,000 nested dicts/lists decode without recursion when the depth limit allows it', () => {
    const input = b(`${'d1:a'.repeat(50_000)}${'le'}${'e'.repeat(50_000)}`);
    expect(decode(input, { maxDepth: 100_001 })).toBeInstanceOf(Map);
  });

  it('depth limit: exactly maxDepth nested containers pass, one more fails', () => {
    expect(() => decode(b('llleee'), { maxDepth: 3 })).not.toThrow();
    const error = bencodeErrorOf(() => decode(b('lllleeee'), { maxDepth: 3 }));
    expect({ code: error.code, offset: error.offset }).toEqual({ code: 'BENCODE_DEPTH_EXCEEDED', offset: 3 });
    expectError(`${'l'.repeat(101)}${'e'.repeat(101)}`, 'BENCODE_DEPTH_EXCEEDED', 100);
  });

  it('huge claimed string length `99999999999:` fails at once, before allocating', () => {
    expectError('99999999999:', 'BENCODE_LENGTH_EXCEEDS_INPUT', 0);
    expectError('d99999999999:', 'BENCODE_LENGTH_EXCEEDS_INPUT', 1);
    expectError(`l${'9'.repeat(100_000)}:e`, 'BENCODE_LENGTH_EXCEEDS_INPUT', 1);
    expectError('5:abcd', 'BENCODE_LENGTH_EXCEEDS_INPUT', 0);
  });

  it('negative string lengths are rejected, as values and as keys', () => {
    expectError('-5:hello', 'BENCODE_NEGATIVE_LENGTH', 0);
    expectError('l-1:ae', 'BENCODE_NEGATIVE_LENGTH', 1);
    expectError('d-1:ai1ee', 'BENCODE_NEGATIVE_LENGTH', 1);
  });

  it('integers of 20+ digits are rejected without reading them all', () => {
    expectError('i12345678901234567890e', 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
    expectError('i-12345678901234567890e', 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
    expectError(`i${'9'.repeat(1_000_000)}e`, 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
    expectError('li00000000000000000001ee', 'BENCODE_INTEGER_OUT_OF_RANGE', 1);
  });

  it('19-digit integers outside signed 64-bit are rejected', () => {
    expectError('i9223372036854775808e', 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
    expectError('i-9223372036854775809e', 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
  });

  it('malformed integers: leading zeros, -0, empty, signs and junk, in both modes', () => {
    for (const strict of [false, true]) {
      expectError('i03e', 'BENCODE_INVALID_INTEGER', 0, strict);
      expectError('i-0e', 'BENCODE_INVALID_INTEGER', 0, strict);
      expectError('i-03e', 'BENCODE_INVALID_INTEGER', 0, strict);
      expectError('ie', 'BENCODE_INVALID_INTEGER', 0, strict);
      expectError('i-e', 'BENCODE_INVALID_INTEGER', 0, strict);
      expectError('i+1e', 'BENCODE_INVALID_INTEGER', 1, strict);
      expectError('i1.5e', 'BENCODE_INVALID_INTEGER', 2, strict);
      expectError('i 1e', 'BENCODE_INVALID_INTEGER', 1, strict);
      expectError('i--1e', 'BENCODE_INVALID_INTEGER', 2, strict);
    }
  });

  it('every truncated prefix of a valid input fails with an end-of-input error', () => {
    const input = b('d4:infod6:lengthi-12e4:name3:abc5:piecel1:xee3:zzzi1ee');
    for (let cut = 0; cut < input.length; cut++) {
      const error = bencodeErrorOf(() => decode(input.subarray(0, cut)));
      expect(['BENCODE_UNEXPECTED_END', 'BENCODE_LENGTH_EXCEEDS_INPUT']).toContain(error.code);
      expect(error.offset).toBeLessThanOrEqual(cut);
    }
  });

  it('every truncated prefix of arbitrary valid input fails cleanly (property)', () => {
    fc.assert(
      fc.property(bencodeValue, fc.nat(), (value, seed) => {
        const input = encode(value);
        const cut = seed % input.length;
        const error = bencodeErrorOf(() => decode(input.subarray(0, cut)));
        expect(['BENCODE_UNEXPECTED_END', 'BENCODE_LENGTH_EXCEEDS_INPUT']).toContain(error.code);
      }),
    );
  });

  it('strict mode rejects unsorted and duplicate keys; lenient mode still rejects duplicates', () => {
    expectError('d1:bi1e1:ai2ee', 'BENCODE_UNSORTED_KEYS', 7, true);
    expectError('d1:ai1e1:ai2ee', 'BENCODE_DUPLICATE_KEY', 7, true);
    expectError('d1:ai1e1:ai2ee', 'BENCODE_DUPLICATE_KEY', 7, false);
    expectError('d1:bi1e1:ai2e1:bi3ee', 'BENCODE_DUPLICATE_KEY', 13, false);
    expectError('ld1:ai1e1:ai2eee', 'BENCODE_DUPLICATE_KEY', 8, false);
  });

  it('`__proto__` is just a key: no prototype pollution, value kept', () => {
    const dict = decode(b('d9:__proto__d5:admini1ee11:constructori2ee')) as BencodeDict;
    expect([...dict.keys()]).toEqual(['__proto__', 'constructor']);
    expect(dict.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.getPrototypeOf(dict)).toBe(Map.prototype);
  });

  it('trailing junk after a value is rejected by decode, reported by decodePrefix', () => {
    expectError('i1ejunk', 'BENCODE_TRAILING_DATA', 3);
    expectError('dei0e', 'BENCODE_TRAILING_DATA', 2);
    expect(decodePrefix(b('i1ejunk')).end).toBe(3);
  });

  it('structural garbage: empty input, stray bytes, non-string keys, keys without values', () => {
    expectError('', 'BENCODE_UNEXPECTED_END', 0);
    expectError('e', 'BENCODE_UNEXPECTED_BYTE', 0);
    expectError('x', 'BENCODE_UNEXPECTED_BYTE', 0);
    expectError('lxe', 'BENCODE_UNEXPECTED_BYTE', 1);
    expectError('di1ei2ee', 'BENCODE_INVALID_KEY', 1);
    expectError('dlei1ee', 'BENCODE_INVALID_KEY', 1);
    expectError('d1:ae', 'BENCODE_MISSING_VALUE', 4);
    expectError('3xabcd', 'BENCODE_INVALID_LENGTH', 1);
    expectError('l', 'BENCODE_UNEXPECTED_END', 1);
    expectError('d1:a', 'BENCODE_UNEXPECTED_END', 4);
    expectError('i12', 'BENCODE_UNEXPECTED_END', 3);
  });

  it('item limit: more values than maxItems fail at the first value over the limit', () => {
    const input = b(`l${'i1e'.repeat(10)}e`);
    expect(() => decode(input, { maxItems: 11 })).not.toThrow();
    const error = bencodeErrorOf(() => decode(input, { maxItems: 5 }));
    expect({ code: error.code, offset: error.offset }).toEqual({
      code: 'BENCODE_TOO_MANY_ITEMS',
      offset: 13,
    });
  });

  it('millions of tiny items: 3,000,000 empty strings stop at the default item limit, long before the end', () => {
    // 6 MB of `0:` fits the default 16 MiB input size: only the item limit stands between it and millions of objects.
    const input = new Uint8Array(2 + 3_000_000 * 2).fill(0x3a);
    input[0] = 0x6c; // 'l'
    for (let at = 1; at < input.length - 1; at += 2) input[at] = 0x30; // '0'
    input[input.length - 1] = 0x65; // 'e'
    const error = bencodeErrorOf(() => decode(input));
    expect(error.code).toBe('BENCODE_TOO_MANY_ITEMS');
    // The list is value 1; the error comes at the first string past the limit, not at the end of the input.
    expect(error.offset).toBe(1 + (BENCODE_DEFAULT_MAX_ITEMS - 1) * 2);
  });

  it('a 30-digit integer is out of range at once, signed or not', () => {
    expectError(`i${'1'.repeat(30)}e`, 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
    expectError(`i-${'1'.repeat(30)}e`, 'BENCODE_INTEGER_OUT_OF_RANGE', 0);
  });

  it('input size limit is checked before decoding starts', () => {
    const error = bencodeErrorOf(() => decode(b('4:abcd'), { maxLength: 5 }));
    expect(error.code).toBe('BENCODE_INPUT_TOO_LARGE');
    expect(decode(b('3:abc'), { maxLength: 5 })).toBeInstanceOf(Uint8Array);
  });

  it('errors are BitloomErrors with the offset in the message', () => {
    const error = bencodeErrorOf(() => decode(b('i03e')));
    expect(error).toBeInstanceOf(BitloomError);
    expect(error).toBeInstanceOf(BencodeError);
    expect(error.message).toContain('at byte 0');
  });

  it('arbitrary bytes never throw anything but BencodeError (fuzz)', () => {
    const interesting = fc.constantFrom(...'ildee0123456789:-'.split('')).map((c) => c.charCodeAt(0));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(interesting, fc.integer({ min: 0, max: 255 })), { maxLength: 64 }),
        (bytes) => {
          for (const strict of [false, true]) {
            try {
              decode(new Uint8Array(bytes), { strict });
            } catch (error) {
              expect(error).toBeInstanceOf(BencodeError);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
