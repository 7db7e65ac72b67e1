/**
 * The bounded bencode decoder (BEP 3). One iterative pass over the input with an explicit stack, so hostile
 * nesting meets the depth limit instead of the call stack. Every length is checked against the remaining input
 * before anything is allocated, byte strings are zero-copy views of the input, and every failure is a
 * {@link BencodeError} carrying the offending byte offset.
 */
import { BencodeError } from './bencode-error.js';
import { binaryStringFromRange } from './binary-string.js';
import { internedKey } from './key-interning.js';
import {
  BENCODE_DEFAULT_MAX_DEPTH,
  BENCODE_DEFAULT_MAX_ITEMS,
  BENCODE_DEFAULT_MAX_LENGTH,
  type BencodeDict,
  type BencodeList,
  type BencodeValue,
  type DecodeOptions,
} from './types.js';

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_COLON = 0x3a;
const CHAR_MINUS = 0x2d;
const CHAR_D = 0x64;
const CHAR_E = 0x65;
const CHAR_I = 0x69;
const CHAR_L = 0x6c;

/** Digits of the largest signed 64-bit magnitude (9223372036854775808); more digits can never fit. */
export const MAX_INTEGER_DIGITS = 19;
/** Up to this many digits a JS number accumulates exactly (10^15 < 2^53). */
const EXACT_NUMBER_DIGITS = 15;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A byte span [start, end) of the input. */
export interface ByteSpan {
  start: number;
  end: number;
}

/** A list or dict being filled while the decoder walks inside it. Frames are reused per depth. */
interface OpenContainer {
  container: BencodeList | BencodeDict;
  start: number;
  /** For dicts: the key whose value comes next, or undefined when a key (or `e`) comes next. */
  pendingKey: string | undefined;
  /** For strict dicts: the previous key's bytes in the input, to check raw-byte order without copying. */
  previousKeyStart: number;
  previousKeyEnd: number;
}

const isDigit = (byte: number): boolean => byte >= CHAR_0 && byte <= CHAR_9;

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Raw-byte comparison of two ranges of the same input (like memcmp, then by length). */
function compareRanges(
  input: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const common = Math.min(aLength, bLength);
  for (let i = 0; i < common; i++) {
    const difference = input[aStart + i]! - input[bStart + i]!;
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

/** One decoding run over one input. Positions are absolute offsets into `input`. */
class Decoder {
  private readonly input: Uint8Array;
  private readonly strict: boolean;
  private readonly maxDepth: number;
  private readonly maxItems: number;
  private readonly spans: WeakMap<BencodeList | BencodeDict, ByteSpan> | undefined;
  private position = 0;
  private items = 0;

  constructor(input: Uint8Array, options: DecodeOptions | undefined, recordSpans: boolean) {
    const maxLength = options?.maxLength ?? BENCODE_DEFAULT_MAX_LENGTH;
    if (input.length > maxLength) {
      throw new BencodeError(
        'BENCODE_INPUT_TOO_LARGE',
        `input of ${input.length} bytes exceeds the limit of ${maxLength}`,
        0,
      );
    }
    this.input = input;
    this.strict = options?.strict ?? false;
    this.maxDepth = options?.maxDepth ?? BENCODE_DEFAULT_MAX_DEPTH;
    this.maxItems = options?.maxItems ?? BENCODE_DEFAULT_MAX_ITEMS;
    this.spans = recordSpans ? new WeakMap() : undefined;
  }

  spanOf(container: BencodeList | BencodeDict): ByteSpan | undefined {
    const span = this.spans?.get(container);
    return span === undefined ? undefined : { start: span.start, end: span.end };
  }

  /** Decodes one complete value starting at offset 0 and returns the offset just past it. */
  decodeValue(): { value: BencodeValue; end: number } {
    const input = this.input;
    // frames[0 .. depth) are the open containers; frames past depth are kept for reuse.
    const frames: OpenContainer[] = [];
    let depth = 0;
    for (;;) {
      const top = depth > 0 ? frames[depth - 1] : undefined;
      let value: BencodeValue;
      if (this.position >= input.length) {
        throw new BencodeError('BENCODE_UNEXPECTED_END', 'input ended inside a value', this.position);
      }
      const byte = input[this.position]!;

      if (top !== undefined && byte === CHAR_E) {
        if (top.pendingKey !== undefined) {
          throw new BencodeError('BENCODE_MISSING_VALUE', 'dictionary ended after a key', this.position);
        }
        this.position++;
        this.spans?.set(top.container, { start: top.start, end: this.position });
        depth--;
        value = top.container;
      } else if (top !== undefined && top.pendingKey === undefined && top.container instanceof Map) {
        this.readKey(top);
        continue;
      } else if (byte === CHAR_L || byte === CHAR_D) {
        this.countItem();
        if (depth >= this.maxDepth) {
          throw new BencodeError(
            'BENCODE_DEPTH_EXCEEDED',
            `nesting deeper than ${this.maxDepth} lists/dicts`,
            this.position,
          );
        }
        const container = byte === CHAR_L ? [] : new Map<string, BencodeValue>();
        const frame = frames[depth];
        if (frame === undefined) {
          frames.push({
            container,
            start: this.position,
            pendingKey: undefined,
            previousKeyStart: -1,
            previousKeyEnd: -1,
          });
        } else {
          frame.container = container;
          frame.start = this.position;
          frame.pendingKey = undefined;
          frame.previousKeyStart = -1;
          frame.previousKeyEnd = -1;
        }
        depth++;
        this.position++;
        continue;
      } else if (byte === CHAR_I) {
        this.countItem();
        value = this.readInteger();
      } else if (isDigit(byte)) {
        this.countItem();
        const start = this.readStringBounds();
        value = input.subarray(start, this.position);
      } else if (byte === CHAR_MINUS) {
        throw new BencodeError(
          'BENCODE_NEGATIVE_LENGTH',
          'byte string with a negative length',
          this.position,
        );
      } else {
        throw new BencodeError(
          'BENCODE_UNEXPECTED_BYTE',
          `${describeByte(byte)} cannot start a bencode value`,
          this.position,
        );
      }

      // Hand the finished value to the container that is open, or return it when none is.
      if (depth === 0) return { value, end: this.position };
      const parent = frames[depth - 1]!;
      if (parent.container instanceof Map) {
        parent.container.set(parent.pendingKey!, value);
        parent.pendingKey = undefined;
      } else {
        parent.container.push(value);
      }
    }
  }

  private countItem(): void {
    if (++this.items > this.maxItems) {
      throw new BencodeError('BENCODE_TOO_MANY_ITEMS', `more than ${this.maxItems} values`, this.position);
    }
  }

  /** Reads a dictionary key at the current position and checks order (strict) or uniqueness (lenient). */
  private readKey(dict: OpenContainer): void {
    const keyOffset = this.position;
    const byte = this.input[keyOffset]!;
    if (byte === CHAR_MINUS) {
      throw new BencodeError('BENCODE_NEGATIVE_LENGTH', 'dictionary key with a negative length', keyOffset);
    }
    if (!isDigit(byte)) {
      throw new BencodeError(
        'BENCODE_INVALID_KEY',
        `dictionary key must be a byte string, found ${describeByte(byte)}`,
        keyOffset,
      );
    }
    const keyStart = this.readStringBounds();
    const keyEnd = this.position;
    const map = dict.container as BencodeDict;
    if (this.strict) {
      if (dict.previousKeyStart >= 0) {
        const order = compareRanges(this.input, dict.previousKeyStart, dict.previousKeyEnd, keyStart, keyEnd);
        if (order === 0)
          throw new BencodeError('BENCODE_DUPLICATE_KEY', 'duplicate dictionary key', keyOffset);
        if (order > 0) {
          throw new BencodeError('BENCODE_UNSORTED_KEYS', 'dictionary keys are not sorted', keyOffset);
        }
      }
      dict.previousKeyStart = keyStart;
      dict.previousKeyEnd = keyEnd;
      dict.pendingKey = internedKey(this.input, keyStart, keyEnd);
    } else {
      const key = internedKey(this.input, keyStart, keyEnd);
      if (map.has(key))
        throw new BencodeError('BENCODE_DUPLICATE_KEY', 'duplicate dictionary key', keyOffset);
      dict.pendingKey = key;
    }
  }

  /**
   * Reads `<length>:` at the current position, checks the length against the remaining input before any use,
   * moves past the string and returns where its bytes start.
   */
  private readStringBounds(): number {
    const input = this.input;
    const lengthOffset = this.position;
    let position = lengthOffset;
    if (
      this.strict &&
      input[position] === CHAR_0 &&
      position + 1 < input.length &&
      isDigit(input[position + 1]!)
    ) {
      throw new BencodeError(
        'BENCODE_INVALID_LENGTH',
        'byte string length with a leading zero',
        lengthOffset,
      );
    }
    let length = 0;
    while (position < input.length && isDigit(input[position]!)) {
      length = length * 10 + (input[position]! - CHAR_0);
      // Stop at once when the length cannot fit: `99999999999:` fails here, whatever follows.
      if (length > input.length - position - 2) {
        throw new BencodeError(
          'BENCODE_LENGTH_EXCEEDS_INPUT',
          'byte string length exceeds the remaining input',
          lengthOffset,
        );
      }
      position++;
    }
    if (position >= input.length) {
      throw new BencodeError('BENCODE_UNEXPECTED_END', 'input ended inside a byte string length', position);
    }
    if (input[position] !== CHAR_COLON) {
      throw new BencodeError(
        'BENCODE_INVALID_LENGTH',
        `expected ':' after a byte string length, found ${describeByte(input[position]!)}`,
        position,
      );
    }
    const start = position + 1;
    if (length > input.length - start) {
      throw new BencodeError(
        'BENCODE_LENGTH_EXCEEDS_INPUT',
        'byte string length exceeds the remaining input',
        lengthOffset,
      );
    }
    this.position = start + length;
    return start;
  }

  /** Reads `i<digits>e`: no leading zeros, no `-0`, no empty integer, within signed 64-bit. */
  private readInteger(): number | bigint {
    const input = this.input;
    const integerOffset = this.position;
    let position = integerOffset + 1;
    const negative = input[position] === CHAR_MINUS;
    if (negative) position++;
    const digitsStart = position;
    let magnitude = 0;
    while (position < input.length && isDigit(input[position]!)) {
      if (position - digitsStart >= MAX_INTEGER_DIGITS) {
        throw new BencodeError(
          'BENCODE_INTEGER_OUT_OF_RANGE',
          'integer outside signed 64-bit',
          integerOffset,
        );
      }
      magnitude = magnitude * 10 + (input[position]! - CHAR_0);
      position++;
    }
    const digits = position - digitsStart;
    if (position >= input.length) {
      throw new BencodeError('BENCODE_UNEXPECTED_END', 'input ended inside an integer', position);
    }
    if (input[position] !== CHAR_E) {
      throw new BencodeError(
        'BENCODE_INVALID_INTEGER',
        `unexpected ${describeByte(input[position]!)} in an integer`,
        position,
      );
    }
    if (digits === 0)
      throw new BencodeError('BENCODE_INVALID_INTEGER', 'integer without digits', integerOffset);
    if (input[digitsStart] === CHAR_0 && (digits > 1 || negative)) {
      throw new BencodeError(
        'BENCODE_INVALID_INTEGER',
        negative ? 'negative zero' : 'integer with a leading zero',
        integerOffset,
      );
    }
    this.position = position + 1;
    if (digits <= EXACT_NUMBER_DIGITS) return negative ? -magnitude : magnitude;

    const exact = BigInt(binaryStringFromRange(input, digitsStart, position));
    const signed = negative ? -exact : exact;
    if (signed < INT64_MIN || signed > INT64_MAX) {
      throw new BencodeError('BENCODE_INTEGER_OUT_OF_RANGE', 'integer outside signed 64-bit', integerOffset);
    }
    return exact <= SAFE_MAX ? Number(signed) : signed;
  }
}

/** Decodes one bencoded value; the whole input must be that value (trailing bytes are an error). */
export function decode(input: Uint8Array, options?: DecodeOptions): BencodeValue {
  const { value, end } = new Decoder(input, options, false).decodeValue();
  if (end !== input.length) {
    throw new BencodeError('BENCODE_TRAILING_DATA', 'trailing bytes after the value', end);
  }
  return value;
}

/** Decodes one value at the start of input; returns where it ended (ut_metadata: dict followed by raw bytes). */
export function decodePrefix(
  input: Uint8Array,
  options?: DecodeOptions,
): { value: BencodeValue; end: number } {
  return new Decoder(input, options, false).decodeValue();
}

/** The result of {@link decodeWithSpans}. */
export interface DecodedWithSpans {
  value: BencodeValue;
  /** The exact [start, end) bytes of a list or dict of this result, or undefined for any other object. */
  spanOf(container: BencodeList | BencodeDict): ByteSpan | undefined;
}

/**
 * Like decode, and also records the exact [start, end) byte span of every list and dict (for the info-hash:
 * SHA-1 over the info dict's ORIGINAL bytes even when they are not canonical).
 */
export function decodeWithSpans(input: Uint8Array, options?: DecodeOptions): DecodedWithSpans {
  const decoder = new Decoder(input, options, true);
  const { value, end } = decoder.decodeValue();
  if (end !== input.length) {
    throw new BencodeError('BENCODE_TRAILING_DATA', 'trailing bytes after the value', end);
  }
  return { value, spanOf: (container) => decoder.spanOf(container) };
}
