/**
 * Typed reading and building of bencode dictionaries (BEP 3). Accessors return undefined on a missing key or a
 * value of the wrong type, so parsers of untrusted metainfo and messages check shape without casts or throws.
 */
import { bytesToBinaryString, utf8Decode, utf8Encode } from './binary-string.js';
import type { BencodeDict, BencodeList, BencodeValue } from './types.js';

export function isDict(value: BencodeValue | undefined): value is BencodeDict {
  return value instanceof Map;
}

export function isList(value: BencodeValue | undefined): value is BencodeList {
  return Array.isArray(value);
}

export function isBytes(value: BencodeValue | undefined): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** The value under `key` (a binary string; for ASCII keys just the key), or undefined. */
export function dictGet(dict: BencodeDict, key: string): BencodeValue | undefined {
  return dict.get(key);
}

/** The byte string under `key`, or undefined when missing or not a byte string. */
export function getBytes(dict: BencodeDict, key: string): Uint8Array | undefined {
  const value = dict.get(key);
  return value instanceof Uint8Array ? value : undefined;
}

/** The integer under `key` when it is a safe integer (a JS number), else undefined; 64-bit `bigint`s are not. */
export function getInt(dict: BencodeDict, key: string): number | undefined {
  const value = dict.get(key);
  return typeof value === 'number' ? value : undefined;
}

/** The byte string under `key` decoded as UTF-8 (invalid sequences become U+FFFD), or undefined. */
export function getUtf8(dict: BencodeDict, key: string): string | undefined {
  const value = dict.get(key);
  return value instanceof Uint8Array ? utf8Decode(value) : undefined;
}

export function getList(dict: BencodeDict, key: string): BencodeList | undefined {
  const value = dict.get(key);
  return Array.isArray(value) ? value : undefined;
}

export function getDict(dict: BencodeDict, key: string): BencodeDict | undefined {
  const value = dict.get(key);
  return value instanceof Map ? value : undefined;
}

/**
 * Builds a dictionary from a record, for writing messages and test fixtures: string values and keys are
 * UTF-8 encoded (keys become binary strings, so ASCII keys stay as they are); other values are kept as given.
 */
export function bdict(entries: Record<string, BencodeValue | string>): BencodeDict {
  const dict: BencodeDict = new Map();
  for (const [key, value] of Object.entries(entries)) {
    dict.set(bytesToBinaryString(utf8Encode(key)), typeof value === 'string' ? utf8Encode(value) : value);
  }
  return dict;
}
