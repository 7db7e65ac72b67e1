import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32ToBytes,
  bytesToBase32,
  formatMagnet,
  hexToBytes,
  infoHashToHex,
  MagnetError,
  type MagnetLink,
  parseMagnet,
} from '../../src/magnet/index.js';

const hash = (fill: number, length = 20) => new Uint8Array(length).fill(fill);

describe('formatMagnet', () => {
  it('writes hex hashes, an escaped name, trackers, web seeds, peers and ranges', () => {
    const uri = formatMagnet({
      infoHash: hash(0xab),
      infoHashV2: hash(0x01, 32),
      displayName: 'a b&c=d',
      trackers: ['udp://t.example:80/announce'],
      webSeeds: ['https://w.example/f?x=1'],
      peers: [
        { host: '1.2.3.4', port: 6881 },
        { host: '::1', port: 1 },
      ],
      selectOnly: [
        { start: 0, end: 0 },
        { start: 4, end: 6 },
      ],
    });
    expect(uri).toBe(
      `magnet:?xt=urn:btih:${'ab'.repeat(20)}&xt=urn:btmh:1220${'01'.repeat(32)}&dn=a%20b%26c%3Dd` +
        '&tr=udp://t.example:80/announce&ws=https://w.example/f%3Fx%3D1&x.pe=1.2.3.4:6881&x.pe=%5B::1%5D:1&so=0,4-6',
    );
  });

  it('refuses links without a hash or with hashes of the wrong length', () => {
    const base = { trackers: [], peers: [], webSeeds: [] };
    for (const link of [base, { ...base, infoHash: hash(1, 19) }, { ...base, infoHashV2: hash(1, 20) }]) {
      expect(() => formatMagnet(link)).toThrow(MagnetError);
    }
  });
});

// Labels with '--' at positions 3–4 are reserved for IDNA (e.g. 'xn--0'), which URL parsers refuse.
const hostLabel = fc
  .stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
  .filter((l) => l.slice(2, 4) !== '--');
const linkArbitrary: fc.Arbitrary<MagnetLink> = fc
  .record({
    infoHash: fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 }), { nil: undefined }),
    infoHashV2: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
    displayName: fc.option(fc.string({ unit: 'grapheme', maxLength: 20 }), { nil: undefined }),
    trackers: fc.uniqueArray(
      fc
        .tuple(
          fc.constantFrom('http', 'https', 'udp', 'ws', 'wss'),
          hostLabel,
          fc.integer({ min: 1, max: 65535 }),
        )
        .map(([scheme, host, port]) => `${scheme}://${host}.example:${port}/announce?k=a%2Bb&x=1`),
      { maxLength: 5 },
    ),
    webSeeds: fc.uniqueArray(
      hostLabel.map((host) => `https://${host}.example/path with space/`),
      { maxLength: 3 },
    ),
    peers: fc.uniqueArray(
      fc.record({
        host: fc.oneof(fc.ipV4(), fc.ipV6(), hostLabel),
        port: fc.integer({ min: 1, max: 65535 }),
      }),
      { maxLength: 4, selector: (p) => `${p.host}|${p.port}` },
    ),
    selectOnly: fc.option(
      fc.array(
        fc
          .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }))
          .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) })),
        { minLength: 1, maxLength: 5 },
      ),
      { nil: undefined },
    ),
  })
  .filter((link) => link.infoHash !== undefined || link.infoHashV2 !== undefined)
  .map((link) => {
    const clean = Object.fromEntries(Object.entries(link).filter(([, v]) => v !== undefined));
    return clean as unknown as MagnetLink;
  });

describe('magnet round trips and robustness (properties)', () => {
  it('parseMagnet(formatMagnet(link)) gives the link back', () => {
    fc.assert(
      fc.property(linkArbitrary, (link) => {
        expect(parseMagnet(formatMagnet(link))).toEqual(link);
      }),
      { numRuns: 300 },
    );
  });

  it('parseMagnet never throws anything but MagnetError on arbitrary strings', () => {
    const fragments = fc.constantFrom(
      'magnet:?',
      'xt=urn:btih:',
      'xt=urn:btmh:1220',
      '&',
      '=',
      '%',
      '%2',
      '%C3',
      '%ZZ',
      '+',
      'tr=',
      'x.pe=',
      '[',
      ']',
      ':',
      'so=',
      '-',
      ',',
      'ws=',
      'dn=',
      'http://',
      'udp://',
      '0'.repeat(40),
      'A'.repeat(32),
      '\ud800',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.oneof(fragments, fc.string({ maxLength: 5 })), { maxLength: 30 })
        .map((parts) => parts.join('')),
      fc.string({ maxLength: 100 }).map((s) => `magnet:?xt=urn:btih:${'1'.repeat(40)}&${s}`),
    );
    fc.assert(
      fc.property(text, (uri) => {
        try {
          parseMagnet(uri);
        } catch (error) {
          expect(error).toBeInstanceOf(MagnetError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hex and base32', () => {
  it('hex round-trips and rejects malformed input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(hexToBytes(infoHashToHex(bytes))).toEqual(bytes);
        expect(hexToBytes(infoHashToHex(bytes).toUpperCase())).toEqual(bytes);
      }),
    );
    expect(infoHashToHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    for (const bad of ['abc', 'zz', '0g', ' 0']) expect(() => hexToBytes(bad)).toThrow(MagnetError);
  });

  it('base32 matches RFC 4648 vectors and round-trips', () => {
    const ascii = (s: string) => new TextEncoder().encode(s);
    expect(bytesToBase32(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(base32ToBytes('MZXW6YTBOI')).toEqual(ascii('foobar'));
    expect(base32ToBytes('mzxw6ytboi')).toEqual(ascii('foobar'));
    expect(base32ToBytes('MZXW6YTBO1')).toBeUndefined();
    expect(base32ToBytes('MZXW6YTBOI\u0131')).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(base32ToBytes(bytesToBase32(bytes))).toEqual(bytes);
      }),
    );
  });
});
