/**
 * Compact peer lists: 6 bytes per IPv4 peer (BEP 23, BEP 15) and 18 bytes per IPv6 peer (BEP 7), address then
 * port, big-endian. A list whose length is not a multiple of the entry size is rejected whole (it is garbled,
 * not merely truncated); at most `maxPeers` entries are read, so a huge list costs nothing.
 */

import type { TrackerPeer } from './announce-types.js';
import { TrackerError } from './tracker-error.js';

export const COMPACT_IPV4_PEER_BYTES = 6;
export const COMPACT_IPV6_PEER_BYTES = 18;

/** Reads compact peers; throws `TRACKER_BAD_RESPONSE` when the length is not a multiple of the entry size. */
export function parseCompactPeers(bytes: Uint8Array, family: 4 | 6, maxPeers: number): TrackerPeer[] {
  const entryBytes = family === 4 ? COMPACT_IPV4_PEER_BYTES : COMPACT_IPV6_PEER_BYTES;
  if (bytes.length % entryBytes !== 0) {
    throw new TrackerError(
      'TRACKER_BAD_RESPONSE',
      `compact IPv${family} peer list of ${bytes.length} bytes is not a multiple of ${entryBytes}`,
    );
  }
  const count = Math.min(bytes.length / entryBytes, Math.max(0, maxPeers));
  const peers: TrackerPeer[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * entryBytes;
    const addressBytes = bytes.subarray(offset, offset + entryBytes - 2);
    const port = (bytes[offset + entryBytes - 2]! << 8) | bytes[offset + entryBytes - 1]!;
    peers.push({ host: family === 4 ? formatIPv4(addressBytes) : formatIPv6(addressBytes), port });
  }
  return peers;
}

export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 text of a 16-byte IPv6 address: lower-case hex, the longest run of zero groups (≥ 2) as `::`. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let index = 0; index < 16; index += 2) groups.push((bytes[index]! << 8) | bytes[index + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
