/**
 * Parses magnet links (BEP 9; `so` file selection from BEP 53; v2 hashes as `urn:btmh` multihashes). Links come
 * from users and web pages, so parsing is bounded and forgiving where it is safe to be: unknown parameters,
 * unsupported trackers and malformed peer addresses are dropped; anything that changes what is downloaded
 * (hashes, escapes, file selection) is a MagnetError.
 */
import { base32ToBytes, hexToBytes } from './hex.js';
import { MagnetError } from './magnet-error.js';
import {
  type FileIndexRange,
  MAX_MAGNET_FILE_INDEX,
  MAX_MAGNET_PEERS,
  MAX_MAGNET_SELECT_RANGES,
  MAX_MAGNET_TRACKERS,
  MAX_MAGNET_URI_LENGTH,
  MAX_MAGNET_WEB_SEEDS,
  type MagnetLink,
  type MagnetPeer,
} from './magnet-link.js';
import { percentDecode } from './percent-decoding.js';

const MAGNET_PREFIX = 'magnet:?';
const BTIH_PREFIX = 'urn:btih:';
const BTMH_PREFIX = 'urn:btmh:';
/** Multihash header of a SHA-256 digest: function code 0x12, length 0x20. */
const SHA256_MULTIHASH_PREFIX = '1220';
const SHA1_LENGTH = 20;
const SHA256_LENGTH = 32;
const TRACKER_SCHEMES = new Set(['http', 'https', 'udp', 'ws', 'wss']);
const WEB_SEED_SCHEMES = new Set(['http', 'https']);
const MAX_PORT = 65_535;
const MAX_INDEX_DIGITS = String(MAX_MAGNET_FILE_INDEX).length;
/** Parameters this parser reads; others are skipped without even being decoded. */
const KNOWN_PARAMETERS = new Set(['xt', 'dn', 'tr', 'ws', 'x.pe', 'so']);

const isDigits = (text: string): boolean => {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** `xt.1`, `tr.2`, … are numbered repeats of `xt`, `tr`; `x.pe` is a name of its own. */
function parameterName(rawName: string): string {
  const name = rawName.toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 && isDigits(name.slice(dot + 1)) ? name.slice(0, dot) : name;
}

function parseV1InfoHash(text: string): Uint8Array {
  if (text.length === 2 * SHA1_LENGTH) {
    try {
      return hexToBytes(text);
    } catch {
      throw new MagnetError('MAGNET_INVALID_INFO_HASH', 'btih info-hash of 40 chars is not valid hex');
    }
  }
  if (text.length === 32) {
    const bytes = base32ToBytes(text);
    if (bytes === undefined) {
      throw new MagnetError('MAGNET_INVALID_INFO_HASH', 'btih info-hash of 32 chars is not valid base32');
    }
    return bytes;
  }
  throw new MagnetError(
    'MAGNET_INVALID_INFO_HASH',
    `btih info-hash must be 40 hex or 32 base32 chars, got ${text.length}`,
  );
}

function parseV2InfoHash(text: string): Uint8Array {
  if (text.length !== SHA256_MULTIHASH_PREFIX.length + 2 * SHA256_LENGTH) {
    throw new MagnetError(
      'MAGNET_INVALID_INFO_HASH',
      `btmh multihash must be 68 hex chars, got ${text.length}`,
    );
  }
  if (text.slice(0, SHA256_MULTIHASH_PREFIX.length) !== SHA256_MULTIHASH_PREFIX) {
    throw new MagnetError('MAGNET_INVALID_INFO_HASH', 'btmh multihash is not SHA-256 (expected prefix 1220)');
  }
  try {
    return hexToBytes(text.slice(SHA256_MULTIHASH_PREFIX.length));
  } catch {
    throw new MagnetError('MAGNET_INVALID_INFO_HASH', 'btmh multihash is not valid hex');
  }
}

/** A URL with one of `schemes` and a host, or undefined. */
function acceptedUrl(text: string, schemes: ReadonlySet<string>): string | undefined {
  const colon = text.indexOf('://');
  if (colon <= 0 || !schemes.has(text.slice(0, colon).toLowerCase())) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.hostname === '' ? undefined : text;
}

function isHostChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2e || // .
    code === 0x2d || // -
    code === 0x5f // _
  );
}

function isIpv6Char(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x46) ||
    (code >= 0x61 && code <= 0x66) ||
    code === 0x3a || // :
    code === 0x2e // . (embedded IPv4)
  );
}

/** `host:port` or `[v6]:port`, or undefined when malformed. */
function parsePeer(text: string): MagnetPeer | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const portText = text.slice(colon + 1);
  if (!isDigits(portText) || portText.length > 5) return undefined;
  const port = Number(portText);
  if (port < 1 || port > MAX_PORT) return undefined;
  let host = text.slice(0, colon);
  let isHostCharCode = isHostChar;
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || host.length < 4) return undefined;
    host = host.slice(1, -1);
    isHostCharCode = isIpv6Char;
    if (!host.includes(':')) return undefined;
  }
  for (let i = 0; i < host.length; i++) if (!isHostCharCode(host.charCodeAt(i))) return undefined;
  return { host, port };
}

function parseFileIndex(text: string): number {
  if (!isDigits(text) || text.length > MAX_INDEX_DIGITS || Number(text) > MAX_MAGNET_FILE_INDEX) {
    throw new MagnetError(
      'MAGNET_INVALID_SELECT_ONLY',
      `'so' file index must be an integer from 0 to ${MAX_MAGNET_FILE_INDEX}`,
    );
  }
  return Number(text);
}

/** Appends the ranges of one `so` value (`0,2,4-6`), checking the total against the cap before each one. */
function parseSelectOnly(text: string, ranges: FileIndexRange[]): void {
  for (const item of text.split(',')) {
    if (ranges.length >= MAX_MAGNET_SELECT_RANGES) {
      throw new MagnetError('MAGNET_TOO_MANY_RANGES', `more than ${MAX_MAGNET_SELECT_RANGES} 'so' ranges`);
    }
    const dash = item.indexOf('-');
    const start = parseFileIndex(dash < 0 ? item : item.slice(0, dash));
    const end = dash < 0 ? start : parseFileIndex(item.slice(dash + 1));
    if (end < start) {
      throw new MagnetError('MAGNET_INVALID_SELECT_ONLY', `'so' range ${start}-${end} ends before it starts`);
    }
    ranges.push({ start, end });
  }
}

/** Adds `item` unless it is already there or the list is full. */
function addCapped(list: string[], item: string | undefined, cap: number): void {
  if (item !== undefined && list.length < cap && !list.includes(item)) list.push(item);
}

/** Parses a magnet URI. Throws MagnetError (codes `MAGNET_*`) when it is not a usable magnet link. */
export function parseMagnet(uri: string): MagnetLink {
  if (typeof uri !== 'string') throw new MagnetError('MAGNET_NOT_A_MAGNET', 'a magnet link must be a string');
  if (uri.length > MAX_MAGNET_URI_LENGTH) {
    throw new MagnetError('MAGNET_TOO_LONG', `magnet link longer than ${MAX_MAGNET_URI_LENGTH} chars`);
  }
  if (uri.slice(0, MAGNET_PREFIX.length).toLowerCase() !== MAGNET_PREFIX) {
    throw new MagnetError('MAGNET_NOT_A_MAGNET', "a magnet link starts with 'magnet:?'");
  }

  const link: MagnetLink = { trackers: [], peers: [], webSeeds: [] };
  const selectOnly: FileIndexRange[] = [];
  let sawSelectOnly = false;
  for (const parameter of uri.slice(MAGNET_PREFIX.length).split('&')) {
    const equals = parameter.indexOf('=');
    if (equals <= 0) continue;
    const name = parameterName(parameter.slice(0, equals));
    if (!KNOWN_PARAMETERS.has(name)) continue;
    const value = percentDecode(parameter.slice(equals + 1), name, name === 'dn');
    switch (name) {
      case 'xt': {
        const lower = value.slice(0, BTIH_PREFIX.length).toLowerCase();
        if (lower === BTIH_PREFIX) {
          const hash = parseV1InfoHash(value.slice(BTIH_PREFIX.length));
          if (link.infoHash !== undefined && !sameBytes(link.infoHash, hash)) {
            throw new MagnetError('MAGNET_CONFLICTING_INFO_HASH', 'two different btih info-hashes');
          }
          link.infoHash = hash;
        } else if (lower === BTMH_PREFIX) {
          const hash = parseV2InfoHash(value.slice(BTMH_PREFIX.length));
          if (link.infoHashV2 !== undefined && !sameBytes(link.infoHashV2, hash)) {
            throw new MagnetError('MAGNET_CONFLICTING_INFO_HASH', 'two different btmh info-hashes');
          }
          link.infoHashV2 = hash;
        }
        break;
      }
      case 'dn':
        link.displayName ??= value;
        break;
      case 'tr':
        addCapped(link.trackers, acceptedUrl(value, TRACKER_SCHEMES), MAX_MAGNET_TRACKERS);
        break;
      case 'ws':
        addCapped(link.webSeeds, acceptedUrl(value, WEB_SEED_SCHEMES), MAX_MAGNET_WEB_SEEDS);
        break;
      case 'x.pe': {
        const peer = parsePeer(value);
        const known = link.peers.some((p) => p.host === peer?.host && p.port === peer.port);
        if (peer !== undefined && !known && link.peers.length < MAX_MAGNET_PEERS) link.peers.push(peer);
        break;
      }
      case 'so':
        sawSelectOnly = true;
        parseSelectOnly(value, selectOnly);
        break;
    }
  }
  if (link.infoHash === undefined && link.infoHashV2 === undefined) {
    throw new MagnetError('MAGNET_MISSING_INFO_HASH', 'no xt=urn:btih: or xt=urn:btmh: info-hash');
  }
  if (sawSelectOnly) link.selectOnly = selectOnly;
  return link;
}
