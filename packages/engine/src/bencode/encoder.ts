/**
 * The canonical bencode encoder (BEP 3): dictionary keys sorted by raw bytes, integers without leading zeros.
 * Writes into one growing buffer in a single walk, so output is built without concatenating strings or arrays.
 */
import { BencodeError } from './bencode-error.js';
import { isBinaryString } from './binary-string.js';
import type { BencodeValue } from './types.js';

const CHAR_COLON = 0x3a;
const CHAR_D = 0x64;
const CHAR_E = 0x65;
const CHAR_I = 0x69;
const CHAR_L = 0x6c;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The encoder recurses; values nested deeper than this (decode allows 100 by default) are refused cleanly. */
const MAX_ENCODE_DEPTH = 1000;
const INITIAL_CAPACITY = 256;

/** A byte buffer that doubles when full. */
class ByteWriter {
  bytes = new Uint8Array(INITIAL_CAPACITY);
  length = 0;

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /** Writes the chars of an ASCII or binary string, one byte each. */
  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.bytes[this.length++] = text.charCodeAt(i);
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
}

function unencodable(message: string): BencodeError {
  return new BencodeError('BENCODE_UNENCODABLE', message, -1);
}

function writeValue(writer: ByteWriter, value: BencodeValue, depth: number): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw unencodable(`${value} is not a safe integer (use bigint for 64-bit values)`);
    }
    writer.byte(CHAR_I);
    writer.ascii(String(value));
    writer.byte(CHAR_E);
  } else if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) throw unencodable(`${value} is outside signed 64-bit`);
    writer.byte(CHAR_I);
    writer.ascii(value.toString());
    writer.byte(CHAR_E);
  } else if (value instanceof Uint8Array) {
    writer.ascii(String(value.length));
    writer.byte(CHAR_COLON);
    writer.raw(value);
  } else if (Array.isArray(value)) {
    if (depth >= MAX_ENCODE_DEPTH) throw unencodable(`nesting deeper than ${MAX_ENCODE_DEPTH}`);
    writer.byte(CHAR_L);
    for (const item of value) writeValue(writer, item, depth + 1);
    writer.byte(CHAR_E);
  } else if (value instanceof Map) {
    if (depth >= MAX_ENCODE_DEPTH) throw unencodable(`nesting deeper than ${MAX_ENCODE_DEPTH}`);
    // Binary-string keys compare by UTF-16 code unit, which for chars ≤ U+00FF is raw byte order.
    const keys = [...value.keys()].sort();
    writer.byte(CHAR_D);
    for (const key of keys) {
      if (!isBinaryString(key)) {
        throw unencodable(`dictionary key ${JSON.stringify(key)} is not a binary string (one char per byte)`);
      }
      writer.ascii(String(key.length));
      writer.byte(CHAR_COLON);
      writer.ascii(key);
      writeValue(writer, value.get(key)!, depth + 1);
    }
    writer.byte(CHAR_E);
  } else {
    throw unencodable(`cannot bencode a value of type ${typeof value}`);
  }
}

/** Encodes a value canonically: keys sorted by raw bytes. Throws BENCODE_UNENCODABLE for non-bencode input. */
export function encode(value: BencodeValue): Uint8Array {
  const writer = new ByteWriter();
  writeValue(writer, value, 0);
  return writer.bytes.slice(0, writer.length);
}
