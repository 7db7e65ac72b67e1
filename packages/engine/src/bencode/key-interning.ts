/**
 * Interning of bencode dictionary keys (BEP 3). Torrents and protocol messages repeat a few short keys
 * (`length`, `path`, `msg_type`) thousands of times; a small hash-indexed table hands back the same string
 * instead of allocating a new one per occurrence, which keeps decoding of large file lists out of the garbage
 * collector. Purely an optimisation: a miss or a collision just builds the string.
 */
import { binaryStringFromRange } from './binary-string.js';

/** Slots in the table (a power of two). */
const INTERNED_KEY_SLOTS = 1024;
/** Longer keys are rare and not worth hashing; they are built directly. */
const MAX_INTERNED_KEY_LENGTH = 32;
const FNV_PRIME = 0x01000193;

const internedKeys: (string | undefined)[] = new Array(INTERNED_KEY_SLOTS).fill(undefined);

/** Bytes [start, end) of `input` as a binary string, reusing an identical string seen before when possible. */
export function internedKey(input: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_INTERNED_KEY_LENGTH) return binaryStringFromRange(input, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ input[i]!, FNV_PRIME);
  const slot = hash & (INTERNED_KEY_SLOTS - 1);
  const cached = internedKeys[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === input[start + i]) i++;
    if (i === length) return cached;
  }
  const key = binaryStringFromRange(input, start, end);
  internedKeys[slot] = key;
  return key;
}
