/**
 * Our peer id: Azureus-style `-BLvvvv-` prefix (client and version, so other clients can tell who we are)
 * followed by 12 random printable bytes.
 */
import type { Random } from '../platform/random.js';

export const PEER_ID_PREFIX = '-BL0010-';
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function makePeerId(random: Random): Uint8Array {
  const id = new Uint8Array(20);
  for (let i = 0; i < PEER_ID_PREFIX.length; i++) id[i] = PEER_ID_PREFIX.charCodeAt(i);
  const tail = random.bytes(20 - PEER_ID_PREFIX.length);
  for (let i = PEER_ID_PREFIX.length; i < 20; i++) {
    id[i] = ALPHABET.charCodeAt(tail[i - PEER_ID_PREFIX.length]! % ALPHABET.length);
  }
  return id;
}
