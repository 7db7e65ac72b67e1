/**
 * The canonical allowed-fast set of BEP 6: the pieces a peer may request from us even while choked, derived from
 * its IPv4 /24 and the info-hash by iterated SHA-1, so both sides compute the same set.
 */
import type { Hasher } from '../platform/hasher.js';

/** Pieces per allowed-fast set (libtorrent's allowed_fast_set_size default; BEP 6's examples use 7–9). */
export const ALLOWED_FAST_SET_SIZE = 5;
/** Torrents this small offer no allowed-fast pieces: the set would be a large share of the torrent, undoing choking. */
export const ALLOWED_FAST_MIN_PIECES = 4 * ALLOWED_FAST_SET_SIZE;

/** The first `k` allowed-fast pieces for an IPv4 peer, or [] for other addresses. */
export async function allowedFastSet(
  hasher: Hasher,
  ipv4: string,
  infoHash: Uint8Array,
  pieceCount: number,
  k = ALLOWED_FAST_SET_SIZE,
): Promise<number[]> {
  const parts = ipv4.split('.');
  if (parts.length !== 4 || pieceCount === 0) return [];
  const want = Math.min(k, pieceCount);
  let x = new Uint8Array(24);
  // 0xFFFFFF00 & ip: only the /24 counts, so one host cannot pick its set by choosing an address.
  for (let i = 0; i < 3; i++) x[i] = Number(parts[i]) & 0xff;
  x[3] = 0;
  x.set(infoHash, 4);
  const set: number[] = [];
  while (set.length < want) {
    x = new Uint8Array(await hasher.sha1(x));
    for (let i = 0; i < 5 && set.length < want; i++) {
      const j = i * 4;
      const y = ((x[j]! << 24) | (x[j + 1]! << 16) | (x[j + 2]! << 8) | x[j + 3]!) >>> 0;
      const index = y % pieceCount;
      if (!set.includes(index)) set.push(index);
    }
  }
  return set;
}
