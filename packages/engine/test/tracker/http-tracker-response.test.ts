import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bdict, encode } from '../../src/bencode/index.js';
import type { BencodeValue } from '../../src/bencode/types.js';
import {
  MAX_INTERVAL_MS,
  MAX_PEERS_PER_RESPONSE,
  MIN_INTERVAL_MS,
} from '../../src/tracker/announce-types.js';
import { formatIPv6 } from '../../src/tracker/compact-peers.js';
import { parseAnnounceResponse, parseScrapeResponse } from '../../src/tracker/http-tracker-response.js';
import { TrackerError } from '../../src/tracker/tracker-error.js';

const compact4 = (...entries: [number, number, number, number, number][]) =>
  Uint8Array.from(entries.flatMap(([a, b, c, d, port]) => [a, b, c, d, port >> 8, port & 0xff]));

function body(entries: Record<string, BencodeValue | string>): Uint8Array {
  return encode(bdict(entries));
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TrackerError);
    return (error as TrackerError).code;
  }
  return undefined;
}

describe('parseAnnounceResponse', () => {
  it('reads compact IPv4 peers, counts, interval and min interval', () => {
    const response = parseAnnounceResponse(
      body({
        interval: 1800,
        'min interval': 900,
        complete: 3,
        incomplete: 7,
        peers: compact4([10, 0, 0, 1, 6881], [192, 168, 1, 254, 51413]),
      }),
    );
    expect(response).toEqual({
      intervalMs: 1_800_000,
      minIntervalMs: 900_000,
      seeders: 3,
      leechers: 7,
      peers: [
        { host: '10.0.0.1', port: 6881 },
        { host: '192.168.1.254', port: 51413 },
      ],
    });
  });

  it('reads BEP 7 peers6 after peers', () => {
    const v6 = new Uint8Array(18);
    v6.set([0x20, 0x01, 0x0d, 0xb8], 0);
    v6[15] = 1;
    v6.set([0x1a, 0xe1], 16);
    const response = parseAnnounceResponse(
      body({ interval: 60, peers: compact4([1, 2, 3, 4, 80]), peers6: v6 }),
    );
    expect(response.peers).toEqual([
      { host: '1.2.3.4', port: 80 },
      { host: '2001:db8::1', port: 6881 },
    ]);
  });

  it('reads the dictionary peer model and skips malformed entries', () => {
    const response = parseAnnounceResponse(
      body({
        interval: 60,
        peers: [
          bdict({ 'peer id': 'x'.repeat(20), ip: '10.1.2.3', port: 7000 }),
          bdict({ ip: 'peer.example', port: 7001 }),
          bdict({ ip: '10.1.2.4' }),
          5,
          bdict({ ip: 7, port: 7002 }),
        ],
      }),
    );
    expect(response.peers).toEqual([
      { host: '10.1.2.3', port: 7000 },
      { host: 'peer.example', port: 7001 },
    ]);
  });

  it('keeps a warning message and the tracker id', () => {
    const response = parseAnnounceResponse(
      body({ interval: 60, peers: new Uint8Array(0), 'warning message': 'slow down', 'tracker id': 'abc' }),
    );
    expect(response.warning).toBe('slow down');
    expect(response.trackerId).toBe('abc');
  });

  it('turns a failure reason into TRACKER_FAILURE with its text', () => {
    expect(() => parseAnnounceResponse(body({ 'failure reason': 'torrent not registered' }))).toThrow(
      /torrent not registered/,
    );
    expect(codeOf(() => parseAnnounceResponse(body({ 'failure reason': 'nope' })))).toBe('TRACKER_FAILURE');
  });

  it('clamps interval 0 up to a minute and a huge interval down to two hours', () => {
    expect(parseAnnounceResponse(body({ interval: 0, peers: '' })).intervalMs).toBe(MIN_INTERVAL_MS);
    const huge = parseAnnounceResponse(body({ interval: 10 ** 12, 'min interval': 10 ** 12, peers: '' }));
    expect(huge.intervalMs).toBe(MAX_INTERVAL_MS);
    expect(huge.minIntervalMs).toBe(MAX_INTERVAL_MS);
  });

  it('never lets min interval exceed interval', () => {
    const response = parseAnnounceResponse(body({ interval: 120, 'min interval': 3600, peers: '' }));
    expect(response.minIntervalMs).toBe(120_000);
  });

  it.each([
    ['not bencode', new TextEncoder().encode('<html>502 Bad Gateway</html>')],
    ['a list instead of a dictionary', encode([1, 2])],
    ['interval as a string', body({ interval: '1800', peers: '' })],
    ['negative interval', body({ interval: -5, peers: '' })],
    ['peers as an integer', body({ interval: 60, peers: 12 })],
    ['peers6 as a list', body({ interval: 60, peers: '', peers6: [] })],
    ['compact peers not a multiple of 6 bytes', body({ interval: 60, peers: new Uint8Array(7) })],
    ['compact peers6 not a multiple of 18 bytes', body({ interval: 60, peers6: new Uint8Array(20) })],
    ['complete as a string', body({ interval: 60, peers: '', complete: 'many' })],
    ['nesting deeper than a tracker needs', encode([[[[[[[[[[1]]]]]]]]]])],
  ])('rejects %s as TRACKER_BAD_RESPONSE', (_name, input) => {
    expect(codeOf(() => parseAnnounceResponse(input))).toBe('TRACKER_BAD_RESPONSE');
  });

  it('a million compact peers: only the first MAX_PEERS_PER_RESPONSE are read', () => {
    // 170,000 peers fit in the 1 MiB body limit; a million do not even decode (next test).
    const many = new Uint8Array(170_000 * 6).fill(1);
    const response = parseAnnounceResponse(body({ interval: 60, peers: many }));
    expect(response.peers).toHaveLength(MAX_PEERS_PER_RESPONSE);
  });

  it('a million compact peers (6 MB) exceed the body limit: TRACKER_BAD_RESPONSE', () => {
    const many = new Uint8Array(1_000_000 * 6);
    expect(codeOf(() => parseAnnounceResponse(body({ interval: 60, peers: many })))).toBe(
      'TRACKER_BAD_RESPONSE',
    );
  });

  it('thousands of dictionary peers are refused by the item limit', () => {
    const peers = Array.from({ length: 5_000 }, () => bdict({ ip: '1.1.1.1', port: 1 }));
    expect(codeOf(() => parseAnnounceResponse(body({ interval: 60, peers })))).toBe('TRACKER_BAD_RESPONSE');
  });

  it('garbage never escapes as anything but a TrackerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseAnnounceResponse(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(TrackerError);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('parseScrapeResponse', () => {
  const hashA = new Uint8Array(20).fill(0xaa);
  const hashB = new Uint8Array(20).fill(0xbb);
  const filesOf = (entries: [Uint8Array, BencodeValue][]) =>
    new Map(entries.map(([hash, value]) => [String.fromCharCode(...hash), value]));

  it('returns the entries asked for, in request order, missing ones left out', () => {
    const files = filesOf([[hashA, bdict({ complete: 5, incomplete: 2, downloaded: 40 })]]);
    const results = parseScrapeResponse(encode(new Map([['files', files]])), [hashB, hashA]);
    expect(results).toEqual([{ infoHash: hashA, seeders: 5, leechers: 2, downloaded: 40 }]);
  });

  it('rejects a response without files, and a failure reason', () => {
    expect(codeOf(() => parseScrapeResponse(body({ x: 1 }), [hashA]))).toBe('TRACKER_BAD_RESPONSE');
    expect(codeOf(() => parseScrapeResponse(body({ 'failure reason': 'no' }), [hashA]))).toBe(
      'TRACKER_FAILURE',
    );
  });
});

describe('formatIPv6', () => {
  it('compresses the longest zero run and leaves single zeros', () => {
    const bytes = (groups: number[]) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(formatIPv6(bytes([0, 0, 0, 0, 0, 0, 0, 1]))).toBe('::1');
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]))).toBe('2001:db8:0:1::1');
    expect(formatIPv6(bytes([0xfe80, 0, 0, 0, 0, 0, 0, 0]))).toBe('fe80::');
    expect(formatIPv6(bytes([1, 2, 3, 4, 5, 6, 7, 8]))).toBe('1:2:3:4:5:6:7:8');
  });
});
