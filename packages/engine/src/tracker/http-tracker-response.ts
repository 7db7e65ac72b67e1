/**
 * Parsing HTTP tracker responses: announce (BEP 3 dictionary peers, BEP 23 compact `peers`, BEP 7 `peers6`) and
 * scrape (BEP 48 `files`). Everything is untrusted: the bencode is decoded with tight limits, every field is
 * type-checked, intervals are clamped, peer lists capped; anything wrong is a `TRACKER_BAD_RESPONSE`.
 */
import { getBytes, getDict, getInt, getUtf8, isDict } from '../bencode/accessors.js';
import { bytesToBinaryString } from '../bencode/binary-string.js';
import { decode } from '../bencode/decoder.js';
import type { BencodeDict, BencodeValue } from '../bencode/types.js';
import {
  type AnnounceResponse,
  clampIntervals,
  MAX_PEERS_PER_RESPONSE,
  MAX_TRACKER_RESPONSE_BYTES,
  type ScrapeResult,
  type TrackerPeer,
} from './announce-types.js';
import { parseCompactPeers } from './compact-peers.js';
import { TrackerError } from './tracker-error.js';

/** Longest `failure reason` / `warning message` kept, in characters. */
const MAX_MESSAGE_CHARS = 300;
/** Values in one response: enough for ~MAX_PEERS_PER_RESPONSE dictionary peers plus their keys. */
export const MAX_RESPONSE_ITEMS = 8 * MAX_PEERS_PER_RESPONSE + 1000;

function decodeDict(body: Uint8Array, what: string): BencodeDict {
  let value: BencodeValue;
  try {
    value = decode(body, {
      maxDepth: 8,
      maxItems: MAX_RESPONSE_ITEMS,
      maxLength: MAX_TRACKER_RESPONSE_BYTES,
    });
  } catch (cause) {
    throw new TrackerError('TRACKER_BAD_RESPONSE', `${what} response is not bencode`, { cause });
  }
  if (!isDict(value)) throw new TrackerError('TRACKER_BAD_RESPONSE', `${what} response is not a dictionary`);
  return value;
}

function shortText(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** An optional non-negative integer field; present with another type is an error. */
function optionalCount(dict: BencodeDict, key: string): number | undefined {
  if (!dict.has(key)) return undefined;
  const value = getInt(dict, key);
  if (value === undefined || value < 0) {
    throw new TrackerError('TRACKER_BAD_RESPONSE', `"${key}" is not a non-negative integer`);
  }
  return value;
}

/** Throws `TRACKER_FAILURE` when the tracker sent a `failure reason`. */
function throwOnFailure(dict: BencodeDict): void {
  if (!dict.has('failure reason')) return;
  const reason = getUtf8(dict, 'failure reason');
  throw new TrackerError('TRACKER_FAILURE', `tracker failure: ${shortText(reason ?? '(no text)')}`);
}

function dictionaryPeers(list: BencodeValue[]): TrackerPeer[] {
  const peers: TrackerPeer[] = [];
  for (const entry of list) {
    if (peers.length >= MAX_PEERS_PER_RESPONSE) break;
    if (!isDict(entry)) continue;
    const host = getUtf8(entry, 'ip');
    const port = getInt(entry, 'port');
    // Invalid entries are skipped here; the peer filter drops bad hosts and ports later.
    if (host !== undefined && port !== undefined && host.length <= 253) peers.push({ host, port });
  }
  return peers;
}

/** Parses an announce response body (any HTTP status: trackers send `failure reason` with 4xx too). */
export function parseAnnounceResponse(body: Uint8Array): AnnounceResponse {
  const dict = decodeDict(body, 'announce');
  throwOnFailure(dict);
  const interval = optionalCount(dict, 'interval');
  const minInterval = optionalCount(dict, 'min interval');
  const response: AnnounceResponse = { ...clampIntervals(interval, minInterval), peers: [] };

  const peersValue = dict.get('peers');
  if (peersValue instanceof Uint8Array) {
    response.peers.push(...parseCompactPeers(peersValue, 4, MAX_PEERS_PER_RESPONSE));
  } else if (Array.isArray(peersValue)) {
    response.peers.push(...dictionaryPeers(peersValue));
  } else if (peersValue !== undefined) {
    throw new TrackerError('TRACKER_BAD_RESPONSE', '"peers" is neither a string nor a list');
  }
  if (dict.has('peers6')) {
    const peers6 = getBytes(dict, 'peers6');
    if (peers6 === undefined) throw new TrackerError('TRACKER_BAD_RESPONSE', '"peers6" is not a string');
    const room = MAX_PEERS_PER_RESPONSE - response.peers.length;
    response.peers.push(...parseCompactPeers(peers6, 6, room));
  }

  const seeders = optionalCount(dict, 'complete');
  const leechers = optionalCount(dict, 'incomplete');
  if (seeders !== undefined) response.seeders = seeders;
  if (leechers !== undefined) response.leechers = leechers;
  const warning = getUtf8(dict, 'warning message');
  if (warning !== undefined) response.warning = shortText(warning);
  const trackerId = getBytes(dict, 'tracker id');
  // Kept as a binary string so arbitrary bytes are echoed back exactly; a silly long one is ignored.
  if (trackerId !== undefined && trackerId.length <= 256) response.trackerId = bytesToBinaryString(trackerId);
  return response;
}

/** Parses a scrape response; returns the entries for `infoHashes` the tracker knows, in request order. */
export function parseScrapeResponse(body: Uint8Array, infoHashes: readonly Uint8Array[]): ScrapeResult[] {
  const dict = decodeDict(body, 'scrape');
  throwOnFailure(dict);
  const files = getDict(dict, 'files');
  if (files === undefined) throw new TrackerError('TRACKER_BAD_RESPONSE', 'scrape response has no "files"');
  const results: ScrapeResult[] = [];
  for (const infoHash of infoHashes) {
    const entry = files.get(bytesToBinaryString(infoHash));
    if (entry === undefined) continue;
    if (!isDict(entry)) throw new TrackerError('TRACKER_BAD_RESPONSE', 'scrape entry is not a dictionary');
    results.push({
      infoHash,
      seeders: optionalCount(entry, 'complete') ?? 0,
      leechers: optionalCount(entry, 'incomplete') ?? 0,
      downloaded: optionalCount(entry, 'downloaded') ?? 0,
    });
  }
  return results;
}
