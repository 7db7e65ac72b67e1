// Property tests: round trips in both directions, and the npm `bencode` package as an oracle on valid input.
import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BencodeValue, decode, encode, utf8Decode } from '../../src/bencode/index.js';
import { bencodeValue, oracleSafeValue, type Plain, toPlain } from './helpers.js';

/** The oracle's shape as a Plain: plain objects become dicts (its keys are UTF-8 text; ours ASCII here). */
function oracleToPlain(value: unknown): Plain {
  if (typeof value === 'number') return `int:${value}`;
  if (value instanceof Uint8Array) return toPlain(value);
  if (Array.isArray(value)) return value.map(oracleToPlain);
  const entries: [string, Plain][] = Object.entries(value as Record<string, unknown>).map(([k, v]) => [
    k,
    oracleToPlain(v),
  ]);
  entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return { dict: entries };
}

/** Our value in the oracle's input shape: dicts as null-prototype objects with text keys. */
function toOracleInput(value: BencodeValue): unknown {
  if (value instanceof Map) {
    const object: Record<string, unknown> = Object.create(null);
    for (const [key, item] of value) object[key] = toOracleInput(item);
    return object;
  }
  if (Array.isArray(value)) return value.map(toOracleInput);
  return value;
}

describe('bencode properties', () => {
  it('encode → decode is the identity on arbitrary values (strict and lenient)', () => {
    fc.assert(
      fc.property(bencodeValue, (value) => {
        const encoded = encode(value);
        expect(toPlain(decode(encoded))).toEqual(toPlain(value));
        expect(toPlain(decode(encoded, { strict: true }))).toEqual(toPlain(value));
      }),
      { numRuns: 500 },
    );
  });

  it('decode → encode is the identity on canonical input', () => {
    fc.assert(
      fc.property(bencodeValue, (value) => {
        const canonical = encode(value);
        expect(encode(decode(canonical, { strict: true }))).toEqual(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the npm bencode decoder on valid input', () => {
    fc.assert(
      fc.property(oracleSafeValue, (value) => {
        const encoded = encode(value);
        expect(toPlain(decode(encoded))).toEqual(oracleToPlain(bencode.decode(encoded)));
      }),
      { numRuns: 500 },
    );
  });

  it('produces the same bytes as the npm bencode encoder', () => {
    fc.assert(
      fc.property(oracleSafeValue, (value) => {
        expect(utf8Decode(encode(value))).toEqual(utf8Decode(bencode.encode(toOracleInput(value))));
        expect(encode(value)).toEqual(new Uint8Array(bencode.encode(toOracleInput(value))));
      }),
      { numRuns: 500 },
    );
  });
});
