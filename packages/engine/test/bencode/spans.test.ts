// Spans: the exact original bytes of every list and dict, which the info-hash is computed over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BencodeDict,
  type BencodeList,
  type BencodeValue,
  bytesToBinaryString,
  decodeWithSpans,
  encode,
} from '../../src/bencode/index.js';
import { b, bencodeErrorOf, bencodeValue } from './helpers.js';

function containersOf(value: BencodeValue, found: (BencodeList | BencodeDict)[] = []) {
  if (Array.isArray(value)) {
    found.push(value);
    for (const item of value) containersOf(item, found);
  } else if (value instanceof Map) {
    found.push(value);
    for (const item of value.values()) containersOf(item, found);
  }
  return found;
}

describe('decodeWithSpans', () => {
  it('the span of a nested dict is its original bytes, even when they are not canonical', () => {
    const info = 'd4:name3:abc6:lengthi3ee';
    const input = b(`d8:announce3:url4:info${info}e`);
    const { value, spanOf } = decodeWithSpans(input);
    const infoDict = (value as BencodeDict).get('info') as BencodeDict;
    const span = spanOf(infoDict)!;
    expect(bytesToBinaryString(input.subarray(span.start, span.end))).toBe(info);
    // Unsorted keys: re-encoding would give different bytes, so a hash over encode() would be wrong.
    expect(bytesToBinaryString(encode(infoDict))).not.toBe(info);
    expect(spanOf(value as BencodeDict)).toEqual({ start: 0, end: input.length });
  });

  it('records spans of lists, including empty ones, and nothing for other objects', () => {
    const input = b('ll3:abcelee');
    const { value, spanOf } = decodeWithSpans(input);
    const [first, second] = value as BencodeList[];
    expect(spanOf(first!)).toEqual({ start: 1, end: 8 });
    expect(spanOf(second!)).toEqual({ start: 8, end: 10 });
    expect(spanOf([])).toBeUndefined();
    expect(spanOf(new Map())).toBeUndefined();
  });

  it('every container span re-encodes to exactly its bytes on canonical input (property)', () => {
    fc.assert(
      fc.property(bencodeValue, (original) => {
        const input = encode(original);
        const { value, spanOf } = decodeWithSpans(input, { strict: true });
        for (const container of containersOf(value)) {
          const span = spanOf(container)!;
          expect(input.subarray(span.start, span.end)).toEqual(encode(container));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('applies the same limits and trailing-data check as decode', () => {
    expect(bencodeErrorOf(() => decodeWithSpans(b('lei1e'))).code).toBe('BENCODE_TRAILING_DATA');
    expect(bencodeErrorOf(() => decodeWithSpans(b('d1:bi1e1:ai1ee'), { strict: true })).code).toBe(
      'BENCODE_UNSORTED_KEYS',
    );
    expect(bencodeErrorOf(() => decodeWithSpans(b('llee'), { maxDepth: 1 })).code).toBe(
      'BENCODE_DEPTH_EXCEEDED',
    );
  });
});
