/**
 * Tracker and web seed URLs of a `.torrent`: `announce` (BEP 3), `announce-list` tiers (BEP 12) and
 * `url-list` web seeds (BEP 19). They are untrusted: only well-formed http/https/udp trackers and http/https
 * web seeds are kept; anything else is skipped, never an error, because a torrent with a bad tracker is
 * still a usable torrent.
 */
import { type BencodeDict, type BencodeValue, isBytes, isList, utf8Decode } from '../bencode/index.js';

/** Longer URLs are dropped: no real tracker needs more, and they end up in logs and terminals. */
export const MAX_URL_LENGTH = 2048;

const TRACKER_SCHEMES = ['http:', 'https:', 'udp:'] as const;
const WEB_SEED_SCHEMES = ['http:', 'https:'] as const;

/** True when `url` is `scheme://host…` with one of `schemes`, no whitespace or control characters. */
function isUrlWithScheme(url: string, schemes: readonly string[]): boolean {
  if (url.length === 0 || url.length > MAX_URL_LENGTH) return false;
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  }
  const colon = url.indexOf(':');
  if (colon < 0) return false;
  const scheme = url.slice(0, colon + 1).toLowerCase();
  if (!schemes.includes(scheme) || !url.startsWith('//', colon + 1)) return false;
  const host = url.slice(colon + 3).split(/[/?#]/, 1)[0] ?? '';
  return host.length > 0;
}

/** True for an http, https or udp tracker URL. */
export function isTrackerUrl(url: string): boolean {
  return isUrlWithScheme(url, TRACKER_SCHEMES);
}

/** True for an http or https web seed URL. */
export function isWebSeedUrl(url: string): boolean {
  return isUrlWithScheme(url, WEB_SEED_SCHEMES);
}

/** A URL string from bencode: UTF-8, surrounding whitespace (common in hand-made torrents) trimmed. */
function urlText(value: BencodeValue | undefined): string | undefined {
  return isBytes(value) ? utf8Decode(value).trim() : undefined;
}

/**
 * The tracker tiers: `announce-list` when it yields any usable tracker (BEP 12 says it replaces `announce`),
 * else `[[announce]]`, else none. Each URL appears once; empty tiers are dropped.
 */
export function readAnnounceTiers(root: BencodeDict): string[][] {
  const seen = new Set<string>();
  const tiers: string[][] = [];
  const announceList = root.get('announce-list');
  if (isList(announceList)) {
    for (const tierValue of announceList) {
      if (!isList(tierValue)) continue;
      const tier: string[] = [];
      for (const urlValue of tierValue) {
        const url = urlText(urlValue);
        if (url === undefined || !isTrackerUrl(url) || seen.has(url)) continue;
        seen.add(url);
        tier.push(url);
      }
      if (tier.length > 0) tiers.push(tier);
    }
  }
  if (tiers.length > 0) return tiers;
  const announce = urlText(root.get('announce'));
  return announce !== undefined && isTrackerUrl(announce) ? [[announce]] : [];
}

/** BEP 19 web seeds from `url-list`, which may be one string or a list of strings. */
export function readWebSeeds(root: BencodeDict): string[] {
  const urlList = root.get('url-list');
  const values = isList(urlList) ? urlList : urlList === undefined ? [] : [urlList];
  const seeds: string[] = [];
  for (const value of values) {
    const url = urlText(value);
    if (url !== undefined && isWebSeedUrl(url) && !seeds.includes(url)) seeds.push(url);
  }
  return seeds;
}
