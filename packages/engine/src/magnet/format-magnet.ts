/**
 * Writes a magnet link (BEP 9, BEP 53) from its parts: hex info-hashes, then name, trackers, web seeds, peers and
 * file selection, each value percent-encoded so `parseMagnet(formatMagnet(link))` gives the link back.
 */
import { infoHashToHex } from './hex.js';
import { MagnetError } from './magnet-error.js';
import type { MagnetLink } from './magnet-link.js';

const SHA1_LENGTH = 20;
const SHA256_LENGTH = 32;

/** Percent-encodes a query value, leaving `:` and `/` readable (both are allowed in a URI query). */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replaceAll('%3A', ':').replaceAll('%2F', '/');
}

/** Formats a magnet URI. Throws MAGNET_INVALID_LINK when a hash has the wrong length or none is given. */
export function formatMagnet(link: MagnetLink): string {
  const parameters: string[] = [];
  if (link.infoHash !== undefined) {
    if (link.infoHash.length !== SHA1_LENGTH) {
      throw new MagnetError('MAGNET_INVALID_LINK', `infoHash must be ${SHA1_LENGTH} bytes`);
    }
    parameters.push(`xt=urn:btih:${infoHashToHex(link.infoHash)}`);
  }
  if (link.infoHashV2 !== undefined) {
    if (link.infoHashV2.length !== SHA256_LENGTH) {
      throw new MagnetError('MAGNET_INVALID_LINK', `infoHashV2 must be ${SHA256_LENGTH} bytes`);
    }
    parameters.push(`xt=urn:btmh:1220${infoHashToHex(link.infoHashV2)}`);
  }
  if (parameters.length === 0) {
    throw new MagnetError('MAGNET_INVALID_LINK', 'a magnet link needs infoHash or infoHashV2');
  }
  if (link.displayName !== undefined) parameters.push(`dn=${encodeValue(link.displayName)}`);
  for (const tracker of link.trackers) parameters.push(`tr=${encodeValue(tracker)}`);
  for (const webSeed of link.webSeeds) parameters.push(`ws=${encodeValue(webSeed)}`);
  for (const { host, port } of link.peers) {
    parameters.push(`x.pe=${encodeValue(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)}`);
  }
  if (link.selectOnly !== undefined && link.selectOnly.length > 0) {
    const ranges = link.selectOnly.map(({ start, end }) => (start === end ? `${start}` : `${start}-${end}`));
    parameters.push(`so=${ranges.join(',')}`);
  }
  return `magnet:?${parameters.join('&')}`;
}
