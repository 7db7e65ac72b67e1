/**
 * Node ids and the XOR metric of the Mainline DHT (BEP 5): 160-bit ids, distance is the XOR of two ids read as
 * an unsigned big-endian integer, and a routing-table bucket is chosen by the length of the prefix an id shares
 * with ours.
 */
import type { Random } from '../platform/random.js';

/** Node ids and info-hashes are 20 bytes (160 bits). */
export const NODE_ID_BYTES = 20;
export const NODE_ID_BITS = NODE_ID_BYTES * 8;

/** Whether `value` is a 20-byte id. */
export function isNodeId(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === NODE_ID_BYTES;
}

/** Negative when `a` is closer to `target` than `b`, positive when farther, 0 when equally far (a = b). */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < NODE_ID_BYTES; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

/** How many leading bits `a` and `b` share (0 … 160). */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < NODE_ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return NODE_ID_BITS;
}

/** Whether two ids are the same. */
export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return commonPrefixBits(a, b) === NODE_ID_BITS;
}

/** A random node id. */
export function randomNodeId(random: Random): Uint8Array {
  return random.bytes(NODE_ID_BYTES);
}

/**
 * A random id sharing exactly `prefixBits` leading bits with `base` (the next bit differs), i.e. an id that
 * falls in bucket `prefixBits` of a table centred on `base`. `prefixBits` of 160 gives `base` itself.
 */
export function randomIdWithPrefix(random: Random, base: Uint8Array, prefixBits: number): Uint8Array {
  const id = random.bytes(NODE_ID_BYTES);
  const bits = Math.max(0, Math.min(NODE_ID_BITS, Math.floor(prefixBits)));
  for (let bit = 0; bit < bits; bit++) setBit(id, bit, getBit(base, bit));
  if (bits < NODE_ID_BITS) setBit(id, bits, getBit(base, bits) ^ 1);
  return id;
}

function getBit(id: Uint8Array, bit: number): number {
  return (id[bit >> 3]! >> (7 - (bit & 7))) & 1;
}

function setBit(id: Uint8Array, bit: number, value: number): void {
  const mask = 1 << (7 - (bit & 7));
  id[bit >> 3] = value ? id[bit >> 3]! | mask : id[bit >> 3]! & ~mask;
}

/** Lowercase hex of an id (map keys, logs). */
export function idToHex(id: Uint8Array): string {
  let hex = '';
  for (const byte of id) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
