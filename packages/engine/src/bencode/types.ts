/**
 * The bencode data model (BEP 3): integers, byte strings, lists and dictionaries. Byte strings stay bytes
 * (`Uint8Array`); dictionary keys are "binary strings" (one char per byte) so any key, including `__proto__` or
 * invalid UTF-8, is kept losslessly in a `Map`.
 */

/** A decoded bencode value. Integers beyond ±(2^53 − 1) are exact `bigint`s (still within signed 64-bit). */
export type BencodeValue = number | bigint | Uint8Array | BencodeList | BencodeDict;

export type BencodeList = BencodeValue[];

/**
 * Keys are "binary strings": one char per byte (latin1), lossless; for ASCII keys just the key. Never an object
 * prototype: `__proto__` is just a key.
 */
export type BencodeDict = Map<string, BencodeValue>;

/** Limits and strictness for the decoder. Every limit is checked before the memory it guards is used. */
export interface DecodeOptions {
  /** Default false. Strict (protocol messages): keys sorted by raw bytes and unique, no leading zeros in lengths. */
  strict?: boolean;
  /** Default 100 nested lists/dicts. */
  maxDepth?: number;
  /** Default 1,000,000 values in total. */
  maxItems?: number;
  /** Default 16 MiB input size. */
  maxLength?: number;
}

/** Default nesting limit of lists and dictionaries. */
export const BENCODE_DEFAULT_MAX_DEPTH = 100;
/** Default limit on the number of values (of any type) in one input. */
export const BENCODE_DEFAULT_MAX_ITEMS = 1_000_000;
/** Default limit on the input size in bytes. */
export const BENCODE_DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;
