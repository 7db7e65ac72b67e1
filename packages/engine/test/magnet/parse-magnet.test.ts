import { describe, expect, it } from 'vitest';
import {
  hexToBytes,
  infoHashToHex,
  MAX_MAGNET_PEERS,
  MAX_MAGNET_SELECT_RANGES,
  MAX_MAGNET_TRACKERS,
  MAX_MAGNET_URI_LENGTH,
  MAX_MAGNET_WEB_SEEDS,
  MagnetError,
  parseMagnet,
} from '../../src/magnet/index.js';

// sha1('bitloom') in hex and in base32.
const HASH_HEX = '2bc6088890e8a7d8896bc06969f03d0aef91f9d4';
const HASH_BASE32 = 'FPDARCEQ5CT5RCLLYBUWT4B5BLXZD6OU';
const V2_HEX = '630a8f6dab4d38c848932a044d43f3aae44514d1670ee02fb88242b1dbc05dfa';
const XT = `xt=urn:btih:${HASH_HEX}`;

function magnetErrorCode(uri: string): string {
  try {
    parseMagnet(uri);
  } catch (error) {
    if (error instanceof MagnetError) return error.code;
    throw error;
  }
  throw new Error(`expected a MagnetError for ${uri.slice(0, 80)}`);
}

describe('parseMagnet: real-world shapes', () => {
  it('parses the WebTorrent "Big Buck Bunny" magnet', () => {
    const link = parseMagnet(
      'magnet:?xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c&dn=Big+Buck+Bunny' +
        '&tr=udp%3A%2F%2Fexplodie.org%3A6969&tr=udp%3A%2F%2Ftracker.coppersurfer.tk%3A6969' +
        '&tr=wss%3A%2F%2Ftracker.btorrent.xyz&ws=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2F',
    );
    expect(infoHashToHex(link.infoHash!)).toBe('dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c');
    expect(link.displayName).toBe('Big Buck Bunny');
    expect(link.trackers).toEqual([
      'udp://explodie.org:6969',
      'udp://tracker.coppersurfer.tk:6969',
      'wss://tracker.btorrent.xyz',
    ]);
    expect(link.webSeeds).toEqual(['https://webtorrent.io/torrents/']);
    expect(link.peers).toEqual([]);
    expect(link.infoHashV2).toBeUndefined();
    expect(link.selectOnly).toBeUndefined();
  });

  it('parses a hybrid v1/v2 magnet (libtorrent test torrent) with numbered xt parameters', () => {
    const link = parseMagnet(
      'magnet:?xt.1=urn:btih:631a31dd0a46257d5078c0dee4e66e26f73e42ac' +
        '&xt.2=urn:btmh:1220d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb' +
        '&dn=bittorrent-v1-v2-hybrid-test',
    );
    expect(infoHashToHex(link.infoHash!)).toBe('631a31dd0a46257d5078c0dee4e66e26f73e42ac');
    expect(infoHashToHex(link.infoHashV2!)).toBe(
      'd8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb',
    );
    expect(link.displayName).toBe('bittorrent-v1-v2-hybrid-test');
  });

  it('accepts a v2-only magnet', () => {
    const link = parseMagnet(`magnet:?xt=urn:btmh:1220${V2_HEX}`);
    expect(link.infoHash).toBeUndefined();
    expect(infoHashToHex(link.infoHashV2!)).toBe(V2_HEX);
  });

  it('base32 and hex (either case) give the same info-hash', () => {
    const fromHex = parseMagnet(`magnet:?xt=urn:btih:${HASH_HEX}`).infoHash;
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH_BASE32}`).infoHash).toEqual(fromHex);
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH_BASE32.toLowerCase()}`).infoHash).toEqual(fromHex);
    expect(parseMagnet(`MAGNET:?XT=URN:BTIH:${HASH_HEX.toUpperCase()}`).infoHash).toEqual(fromHex);
    expect(fromHex).toEqual(hexToBytes(HASH_HEX));
  });

  it('reads peers, IPv6 peers in brackets, and BEP 53 select-only ranges without expanding them', () => {
    const link = parseMagnet(
      `magnet:?${XT}&x.pe=10.0.0.1:6881&x.pe=%5B2001%3Adb8%3A%3A1%5D%3A51413&x.pe=peer.example.org:1&so=0,2,4-6&so=1000000`,
    );
    expect(link.peers).toEqual([
      { host: '10.0.0.1', port: 6881 },
      { host: '2001:db8::1', port: 51413 },
      { host: 'peer.example.org', port: 1 },
    ]);
    expect(link.selectOnly).toEqual([
      { start: 0, end: 0 },
      { start: 2, end: 2 },
      { start: 4, end: 6 },
      { start: 1_000_000, end: 1_000_000 },
    ]);
  });

  it('keeps a huge so range as one range', () => {
    expect(parseMagnet(`magnet:?${XT}&so=0-1000000`).selectOnly).toEqual([{ start: 0, end: 1_000_000 }]);
  });

  it('decodes UTF-8 display names, raw or escaped; the first dn wins', () => {
    expect(parseMagnet(`magnet:?${XT}&dn=caf%C3%A9%20%2B%201&dn=other`).displayName).toBe('café + 1');
    expect(parseMagnet(`magnet:?${XT}&dn=日本語`).displayName).toBe('日本語');
    expect(parseMagnet(`magnet:?${XT}&dn=%E9t%E9`).displayName).toBe('\ufffdt\ufffd');
  });

  it('keeps only http/https/udp/ws/wss trackers, de-duplicated, in order', () => {
    const trackers = [
      'udp://a.example:80/announce',
      'http://b.example/announce',
      'udp://a.example:80/announce',
      'dht://whatever',
      'javascript:alert(1)',
      'HTTPS://c.example/announce',
      'wss://d.example',
      'ws://e.example',
      'udp://',
      'not a url',
    ];
    const link = parseMagnet(`magnet:?${XT}${trackers.map((t) => `&tr=${encodeURIComponent(t)}`).join('')}`);
    expect(link.trackers).toEqual([
      'udp://a.example:80/announce',
      'http://b.example/announce',
      'HTTPS://c.example/announce',
      'wss://d.example',
      'ws://e.example',
    ]);
  });

  it('keeps only http(s) web seeds and ignores unknown parameters and parameters without a value', () => {
    const link = parseMagnet(
      `magnet:?${XT}&ws=ftp://x.example/f&ws=http://y.example/f&xl=123&kt=a+b&foo&=bar&&`,
    );
    expect(link.webSeeds).toEqual(['http://y.example/f']);
  });

  it('drops malformed peer addresses instead of failing the link', () => {
    const bad = [
      'host',
      ':6881',
      'host:0',
      'host:65536',
      'host:-1',
      'ho st:1',
      '[::1:1',
      '[zz]:1',
      '[1.2.3.4]:1',
      'a:b:1',
    ];
    const link = parseMagnet(`magnet:?${XT}${bad.map((p) => `&x.pe=${encodeURIComponent(p)}`).join('')}`);
    expect(link.peers).toEqual([]);
  });

  it('accepts repeated identical info-hashes', () => {
    expect(() => parseMagnet(`magnet:?${XT}&xt=urn:btih:${HASH_BASE32}`)).not.toThrow();
  });
});

describe('parseMagnet: malformed links and caps', () => {
  it.each([
    ['not a magnet', 'http://example.com/?xt=urn:btih:00', 'MAGNET_NOT_A_MAGNET'],
    ['missing info-hash', 'magnet:?dn=x&tr=udp://a.example:1', 'MAGNET_MISSING_INFO_HASH'],
    [
      'only an unknown urn',
      'magnet:?xt=urn:ed2k:31d6cfe0d16ae931b73c59d7e0c089c0',
      'MAGNET_MISSING_INFO_HASH',
    ],
    ['non-hex in 40-char hash', `magnet:?xt=urn:btih:${HASH_HEX.slice(0, 39)}g`, 'MAGNET_INVALID_INFO_HASH'],
    [
      'non-base32 in 32-char hash',
      `magnet:?xt=urn:btih:${HASH_BASE32.slice(0, 31)}1`,
      'MAGNET_INVALID_INFO_HASH',
    ],
    ['39-char hash', `magnet:?xt=urn:btih:${HASH_HEX.slice(0, 39)}`, 'MAGNET_INVALID_INFO_HASH'],
    ['41-char hash', `magnet:?xt=urn:btih:${HASH_HEX}0`, 'MAGNET_INVALID_INFO_HASH'],
    ['empty hash', 'magnet:?xt=urn:btih:', 'MAGNET_INVALID_INFO_HASH'],
    ['btmh not sha-256', `magnet:?xt=urn:btmh:1320${V2_HEX}`, 'MAGNET_INVALID_INFO_HASH'],
    ['btmh too short', `magnet:?xt=urn:btmh:1220${V2_HEX.slice(2)}`, 'MAGNET_INVALID_INFO_HASH'],
    ['btmh non-hex', `magnet:?xt=urn:btmh:1220${V2_HEX.slice(1)}x`, 'MAGNET_INVALID_INFO_HASH'],
    ['two different btih', `magnet:?${XT}&xt=urn:btih:${'0'.repeat(40)}`, 'MAGNET_CONFLICTING_INFO_HASH'],
    ['truncated escape', `magnet:?${XT}&dn=abc%4`, 'MAGNET_INVALID_ESCAPE'],
    ['non-hex escape', `magnet:?${XT}&tr=udp%3A%2F%2Fa%ZZ`, 'MAGNET_INVALID_ESCAPE'],
    ['escape in the hash', 'magnet:?xt=urn%3Abtih%3A%G0', 'MAGNET_INVALID_ESCAPE'],
    ['empty so', `magnet:?${XT}&so=`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so with empty item', `magnet:?${XT}&so=1,,2`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so negative', `magnet:?${XT}&so=-1`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so reversed range', `magnet:?${XT}&so=6-4`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so index too large', `magnet:?${XT}&so=0-1000001`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so 30-digit index', `magnet:?${XT}&so=${'9'.repeat(30)}`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so junk', `magnet:?${XT}&so=1-2-3`, 'MAGNET_INVALID_SELECT_ONLY'],
    ['so float', `magnet:?${XT}&so=1.5`, 'MAGNET_INVALID_SELECT_ONLY'],
  ])('%s', (_title, uri, code) => {
    expect(magnetErrorCode(uri)).toBe(code);
  });

  it('rejects a link longer than 64 KiB before parsing it', () => {
    const uri = `magnet:?${XT}&dn=${'a'.repeat(MAX_MAGNET_URI_LENGTH)}`;
    expect(magnetErrorCode(uri)).toBe('MAGNET_TOO_LONG');
  });

  it('thousands of tr parameters: keeps the first 100 distinct trackers', () => {
    // Each tracker twice in a row, so de-duplication and the cap both matter.
    const trackers = Array.from({ length: 3000 }, (_, i) => `&tr=udp://t${i >> 1}.x:1`).join('');
    const link = parseMagnet(`magnet:?${XT}${trackers}`);
    expect(link.trackers).toHaveLength(MAX_MAGNET_TRACKERS);
    expect(link.trackers[0]).toBe('udp://t0.x:1');
    expect(link.trackers[99]).toBe('udp://t99.x:1');
  });

  it('caps peers and web seeds at 100 each', () => {
    const peers = Array.from({ length: 500 }, (_, i) => `&x.pe=10.0.${i >> 8}.${i & 255}:1`).join('');
    const seeds = Array.from({ length: 500 }, (_, i) => `&ws=http://s.example/${i}`).join('');
    const link = parseMagnet(`magnet:?${XT}${peers}${seeds}`);
    expect(link.peers).toHaveLength(MAX_MAGNET_PEERS);
    expect(link.webSeeds).toHaveLength(MAX_MAGNET_WEB_SEEDS);
  });

  it('1000 so ranges are accepted, 1001 are an error, across several so parameters', () => {
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => `${2 * i}-${2 * i + 1}`).join(',');
    expect(parseMagnet(`magnet:?${XT}&so=${ranges(MAX_MAGNET_SELECT_RANGES)}`).selectOnly).toHaveLength(1000);
    expect(magnetErrorCode(`magnet:?${XT}&so=${ranges(MAX_MAGNET_SELECT_RANGES + 1)}`)).toBe(
      'MAGNET_TOO_MANY_RANGES',
    );
    expect(magnetErrorCode(`magnet:?${XT}&so=${ranges(600)}&so=${ranges(600)}`)).toBe(
      'MAGNET_TOO_MANY_RANGES',
    );
  });

  it('errors are MagnetErrors (BitloomError) with a stable code', () => {
    try {
      parseMagnet('magnet:?');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MagnetError);
      expect((error as MagnetError).code).toBe('MAGNET_MISSING_INFO_HASH');
    }
  });
});
