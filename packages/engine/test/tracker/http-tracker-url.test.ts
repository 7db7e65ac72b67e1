import { describe, expect, it } from 'vitest';
import type { AnnounceRequest } from '../../src/tracker/announce-types.js';
import {
  buildAnnounceUrl,
  buildScrapeUrl,
  percentEncodeBytes,
  scrapeUrlOf,
} from '../../src/tracker/http-tracker-url.js';
import { filterPeers } from '../../src/tracker/peer-filter.js';

const request: AnnounceRequest = {
  infoHash: Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? 0x12 : i === 1 ? 0x41 : 0xff)),
  peerId: new TextEncoder().encode('-BL0001-abcdefghijkl'),
  port: 6881,
  uploaded: 10,
  downloaded: 20,
  left: 30,
  numwant: 50,
  key: 0xdeadbeef,
};

describe('HTTP tracker URLs', () => {
  it('percent-encodes raw bytes, keeping unreserved characters', () => {
    expect(percentEncodeBytes(Uint8Array.from([0x00, 0x41, 0x7e, 0x20, 0xff, 0x2d]))).toBe('%00A~%20%FF-');
  });

  it('builds the announce query with the raw info_hash and peer_id, compact=1 and the event', () => {
    const url = buildAnnounceUrl('http://t.example/announce', { ...request, event: 'started' });
    expect(url).toBe(
      `http://t.example/announce?info_hash=%12A${'%FF'.repeat(18)}&peer_id=-BL0001-abcdefghijkl&port=6881` +
        '&uploaded=10&downloaded=20&left=30&compact=1&numwant=50&key=deadbeef&event=started',
    );
  });

  it('appends to an existing query (passkeys) and echoes the tracker id as bytes', () => {
    const url = buildAnnounceUrl('https://t.example/a/announce.php?passkey=xyz', {
      ...request,
      trackerId: 'id\u00ff',
    });
    expect(url.startsWith('https://t.example/a/announce.php?passkey=xyz&info_hash=')).toBe(true);
    expect(url.endsWith('&trackerid=id%FF')).toBe(true);
  });

  it('derives the BEP 48 scrape URL only when the last segment starts with "announce"', () => {
    expect(scrapeUrlOf('http://t.example/announce')).toBe('http://t.example/scrape');
    expect(scrapeUrlOf('http://t.example/x/announce.php?k=1')).toBe('http://t.example/x/scrape.php?k=1');
    expect(scrapeUrlOf('http://t.example/announce/x')).toBeUndefined();
    expect(scrapeUrlOf('http://t.example/a')).toBeUndefined();
    expect(scrapeUrlOf('udp://t.example:80/announce')).toBeUndefined();
    expect(
      buildScrapeUrl('http://t.example/announce', [new Uint8Array(2).fill(0xff), new Uint8Array(1)]),
    ).toBe('http://t.example/scrape?info_hash=%FF%FF&info_hash=%00');
    expect(() => buildScrapeUrl('http://t.example/x', [])).toThrow(
      expect.objectContaining({ code: 'TRACKER_SCRAPE_UNSUPPORTED' }),
    );
  });
});

describe('filterPeers', () => {
  it('drops port 0, bad hosts and duplicates, and caps the count', () => {
    const peers = filterPeers(
      [
        { host: '10.0.0.1', port: 1 },
        { host: '10.0.0.1', port: 0 },
        { host: '10.0.0.1', port: 1 },
        { host: '10.0.0.1', port: 70000 },
        { host: '999.1.1.1', port: 5 },
        { host: 'bad host!', port: 5 },
        { host: '::1', port: 2 },
        { host: 'peer.example', port: 3 },
        { host: '10.0.0.2', port: 4 },
      ],
      3,
    );
    expect(peers).toEqual([
      { host: '10.0.0.1', port: 1 },
      { host: '::1', port: 2 },
      { host: 'peer.example', port: 3 },
    ]);
  });
});
