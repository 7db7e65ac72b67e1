/**
 * URLs of HTTP trackers: the announce query of BEP 3 (binary `info_hash` and `peer_id` percent-encoded byte by
 * byte, BEP 23 `compact=1`), and the scrape URL of BEP 48, which exists only when the announce URL's last path
 * segment starts with `announce`.
 */
import { binaryStringToBytes } from '../bencode/binary-string.js';
import type { AnnounceRequest } from './announce-types.js';
import { TrackerError } from './tracker-error.js';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes raw bytes, keeping RFC 3986 unreserved characters as they are. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Parses an http/https tracker URL; throws `TRACKER_BAD_URL`. */
export function parseHttpTrackerUrl(announceUrl: string): URL {
  let url: URL;
  try {
    url = new URL(announceUrl);
  } catch (cause) {
    throw new TrackerError('TRACKER_BAD_URL', `not a URL: ${announceUrl}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrackerError('TRACKER_BAD_URL', `not an HTTP tracker: ${announceUrl}`);
  }
  return url;
}

/** Appends `query` to a URL that may already carry one (private trackers put a passkey there). */
function withQuery(url: string, query: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

/** The full announce URL for `request`. */
export function buildAnnounceUrl(announceUrl: string, request: AnnounceRequest): string {
  parseHttpTrackerUrl(announceUrl);
  const parts = [
    `info_hash=${percentEncodeBytes(request.infoHash)}`,
    `peer_id=${percentEncodeBytes(request.peerId)}`,
    `port=${request.port}`,
    `uploaded=${Math.max(0, Math.floor(request.uploaded))}`,
    `downloaded=${Math.max(0, Math.floor(request.downloaded))}`,
    `left=${Math.max(0, Math.floor(request.left))}`,
    'compact=1',
    `numwant=${request.numwant}`,
    `key=${(request.key >>> 0).toString(16).padStart(8, '0')}`,
  ];
  if (request.event !== undefined) parts.push(`event=${request.event}`);
  if (request.trackerId !== undefined)
    parts.push(`trackerid=${percentEncodeBytes(binaryStringToBytes(request.trackerId))}`);
  return withQuery(announceUrl, parts.join('&'));
}

/** The BEP 48 scrape URL of an announce URL, or undefined when the tracker has none. */
export function scrapeUrlOf(announceUrl: string): string | undefined {
  let url: URL;
  try {
    url = parseHttpTrackerUrl(announceUrl);
  } catch {
    return undefined;
  }
  const slash = url.pathname.lastIndexOf('/');
  const lastSegment = url.pathname.slice(slash + 1);
  if (!lastSegment.startsWith('announce')) return undefined;
  url.pathname = `${url.pathname.slice(0, slash + 1)}scrape${lastSegment.slice('announce'.length)}`;
  url.hash = '';
  return url.toString();
}

/** The scrape URL asking for `infoHashes`; throws `TRACKER_SCRAPE_UNSUPPORTED`. */
export function buildScrapeUrl(announceUrl: string, infoHashes: readonly Uint8Array[]): string {
  const scrapeUrl = scrapeUrlOf(announceUrl);
  if (scrapeUrl === undefined) {
    throw new TrackerError('TRACKER_SCRAPE_UNSUPPORTED', `no scrape URL for ${announceUrl}`);
  }
  return withQuery(scrapeUrl, infoHashes.map((hash) => `info_hash=${percentEncodeBytes(hash)}`).join('&'));
}
