// Shared helpers for the bencode tests: latin1 input, plain comparable shapes, and value arbitraries.
import fc from 'fast-check';
import {
  BencodeError,
  type BencodeValue,
  binaryStringToBytes,
  bytesToBinaryString,
} from '../../src/bencode/index.js';

/** Test input from a binary string (one byte per char). */
export const b = (text: string): Uint8Array => binaryStringToBytes(text);

/** A deep, order-independent plain shape for comparing values (hex for bytes, sorted entries for dicts). */
export type Plain = string | Plain[] | { dict: [string, Plain][] };

const hex = (bytes: Uint8Array): string => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');

export function toPlain(value: BencodeValue): Plain {
  if (typeof value === 'number' || typeof value === 'bigint') return `int:${value}`;
  if (value instanceof Uint8Array) return `bytes:${hex(value)}`;
  if (Array.isArray(value)) return value.map(toPlain);
  const entries: [string, Plain][] = [...value.entries()].map(([k, v]) => [k, toPlain(v)]);
  entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return { dict: entries };
}

/** Runs `action` and returns the BencodeError it throws (failing the test if it throws anything else). */
export function bencodeErrorOf(action: () => unknown): BencodeError {
  try {
    action();
  } catch (error) {
    if (error instanceof BencodeError) return error;
    throw new Error(`expected a BencodeError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a BencodeError, but nothing was thrown');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Integers as the decoder returns them: numbers when safe, bigints otherwise (within signed 64-bit). */
export const bencodeInteger = fc
  .oneof(
    fc.maxSafeInteger(),
    fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
    fc.constantFrom(INT64_MIN, INT64_MAX),
  )
  .map((n) =>
    typeof n === 'bigint' && n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(n)
      : n,
  );

const binaryKey = fc.oneof(
  fc.uint8Array({ maxLength: 8 }).map(bytesToBinaryString),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'info', 'a', 'ab', 'b'),
);

/** Arbitrary bencode values with any binary keys and any integers. */
export const bencodeValue: fc.Arbitrary<BencodeValue> = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    bencodeInteger,
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(binaryKey, tie('value')), { selector: ([key]) => key, maxLength: 5 })
      .map((entries) => new Map(entries)),
  ),
})).value;

/** Values the npm `bencode` oracle represents faithfully: printable-ASCII keys (no `__proto__`), safe integers. */
export const oracleSafeValue: fc.Arbitrary<BencodeValue> = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(
        fc.tuple(
          fc
            .string({ unit: fc.constantFrom(...'abcdefgXYZ019_-. '), maxLength: 6 })
            .filter((k) => k !== '__proto__'),
          tie('value'),
        ),
        { selector: ([key]) => key, maxLength: 5 },
      )
      .map((entries) => new Map(entries)),
  ),
})).value;
