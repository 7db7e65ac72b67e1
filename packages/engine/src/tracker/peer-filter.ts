/**
 * Cleans a tracker's peer list before it reaches the torrent: drops port 0 and out-of-range ports, hosts that are
 * neither an IP literal nor a plausible DNS name, and duplicates; keeps at most `maxPeers`. Trackers are
 * untrusted (BEP 3 dictionary peers carry free-form `ip` strings).
 */
import type { TrackerPeer } from './announce-types.js';

const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_PATTERN = /^[0-9a-fA-F:.]{2,45}$/;
const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** True for an IPv4 dotted quad, an IPv6 literal (without brackets) or a DNS name. */
export function isValidPeerHost(host: string): boolean {
  if (IPV4_PATTERN.test(host)) return true;
  if (host.includes(':')) return IPV6_PATTERN.test(host) && host.split('::').length <= 2;
  return HOSTNAME_PATTERN.test(host) && !/^[\d.]+$/.test(host);
}

export function isValidPeerPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65_535;
}

/** The valid, distinct peers of `peers` in order, at most `maxPeers`. */
export function filterPeers(peers: readonly TrackerPeer[], maxPeers: number): TrackerPeer[] {
  const seen = new Set<string>();
  const kept: TrackerPeer[] = [];
  for (const peer of peers) {
    if (kept.length >= maxPeers) break;
    if (!isValidPeerPort(peer.port) || !isValidPeerHost(peer.host)) continue;
    const key = `${peer.host.toLowerCase()}|${peer.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ host: peer.host, port: peer.port });
  }
  return kept;
}
