import { createTestPlatform, type TestPlatform } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { bdict, encode } from '../../src/bencode/index.js';
import { HttpError } from '../../src/platform/http.js';
import { Announcer, STOP_ANNOUNCE_TIMEOUT_MS } from '../../src/tracker/announcer.js';

const ok = (entries: Record<string, number | string | Uint8Array>) => ({
  status: 200,
  headers: {},
  body: encode(bdict(entries)),
});
const compactPeer = (last: number, port: number) => Uint8Array.from([10, 0, 0, last, port >> 8, port & 0xff]);

function eventsOf(platform: TestPlatform, prefix: string): string[] {
  return platform.http.requests
    .filter((r) => r.url.startsWith(prefix))
    .map((r) => new URL(r.url).searchParams.get('event') ?? 'none');
}

function makeAnnouncer(
  platform: TestPlatform,
  tiers: string[][],
  received: { host: string; port: number }[] = [],
) {
  return new Announcer({
    tiers,
    infoHash: new Uint8Array(20).fill(1),
    peerId: new Uint8Array(20).fill(2),
    port: 6881,
    platform,
    stats: () => ({ uploaded: 0, downloaded: 0, left: 100 }),
    onPeers: (peers) => received.push(...peers),
    numwant: 30,
  });
}

/** Ticks like the session does (every 500 ms) for `ms` virtual milliseconds. */
async function run(platform: TestPlatform, announcer: Announcer, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 500) {
    announcer.tick(platform.clock.now());
    await platform.clock.advanceAsync(500);
  }
}

describe('Announcer', () => {
  it('announces started, re-announces at interval, sends completed once and stopped on stop', async () => {
    const platform = createTestPlatform({ seed: 1 });
    platform.http.route('http://a/', () => ok({ interval: 600, peers: compactPeer(5, 7000) }));
    const peers: { host: string; port: number }[] = [];
    const announcer = makeAnnouncer(platform, [['http://a/announce']], peers);
    announcer.start();
    await run(platform, announcer, 1000);
    expect(eventsOf(platform, 'http://a/')).toEqual(['started']);
    expect(peers).toEqual([{ host: '10.0.0.5', port: 7000 }]);
    await run(platform, announcer, 599_000);
    expect(eventsOf(platform, 'http://a/')).toEqual(['started']);
    await run(platform, announcer, 1000);
    expect(eventsOf(platform, 'http://a/')).toEqual(['started', 'none']);
    announcer.completed();
    announcer.completed();
    await run(platform, announcer, 1000);
    expect(eventsOf(platform, 'http://a/')).toEqual(['started', 'none', 'completed']);
    await announcer.stop();
    expect(eventsOf(platform, 'http://a/')).toEqual(['started', 'none', 'completed', 'stopped']);
    const status = announcer.status();
    expect(status[0]).toMatchObject({
      url: 'http://a/announce',
      state: 'working',
      peersReceived: 3,
      failures: 0,
    });
  });

  it('needing peers re-announces at min interval, not sooner', async () => {
    const platform = createTestPlatform({ seed: 1 });
    platform.http.route('http://a/', () => ok({ interval: 1800, 'min interval': 120, peers: '' }));
    const announcer = makeAnnouncer(platform, [['http://a/announce']]);
    announcer.start();
    announcer.setNeedPeers(true);
    await run(platform, announcer, 119_000);
    expect(eventsOf(platform, 'http://a/')).toHaveLength(1);
    await run(platform, announcer, 2000);
    expect(eventsOf(platform, 'http://a/')).toHaveLength(2);
    await announcer.stop();
  });

  it('BEP 12: falls through a dead tier to the next tracker and moves a responder to the front', async () => {
    const platform = createTestPlatform({ seed: 3 });
    platform.http.route('http://dead1/', () => {
      throw new HttpError('HTTP_CONNECT_FAILED', 'refused');
    });
    platform.http.route('http://dead2/', () => ok({ 'failure reason': 'unregistered torrent' }));
    platform.http.route('http://good/', () => ok({ interval: 600, peers: '' }));
    const announcer = makeAnnouncer(platform, [
      ['http://dead1/announce', 'http://dead2/announce'],
      ['http://x/announce', 'http://good/announce'],
    ]);
    announcer.start();
    await run(platform, announcer, 1000);
    const status = announcer.status();
    const byUrl = new Map(status.map((s) => [s.url, s]));
    expect(byUrl.get('http://dead1/announce')).toMatchObject({
      state: 'error',
      failures: 1,
      lastError: { code: 'TRACKER_HTTP' },
    });
    expect(byUrl.get('http://dead2/announce')?.lastError?.code).toBe('TRACKER_FAILURE');
    expect(byUrl.get('http://good/announce')?.state).toBe('working');
    // The responder leads its tier now; the unroutable x failed before it (or was shuffled after it).
    expect(status.filter((s) => s.tier === 1)[0]!.url).toBe('http://good/announce');
    await announcer.stop();
  });

  it('backs off exponentially when every tracker fails (garbage body)', async () => {
    const platform = createTestPlatform({ seed: 1 });
    const times: number[] = [];
    platform.http.route('http://a/', () => {
      times.push(platform.clock.now() / 1000);
      return { status: 200, headers: {}, body: new TextEncoder().encode('<html>') };
    });
    const announcer = makeAnnouncer(platform, [['http://a/announce']]);
    announcer.start();
    await run(platform, announcer, 16 * 60_000);
    // Gaps double from 15 s (rounded up to the next 500 ms tick).
    expect(times).toEqual([0, 15, 45, 105, 225, 465, 945]);
    expect(announcer.status()[0]).toMatchObject({ state: 'error', failures: 7 });
    expect(announcer.status()[0]!.lastError?.code).toBe('TRACKER_BAD_RESPONSE');
    await announcer.stop();
    // Never told started, so no stopped either.
    expect(times).toHaveLength(7);
  });

  it('drops port-0 and duplicate peers and caps them at numwant', async () => {
    const platform = createTestPlatform({ seed: 1 });
    const many = new Uint8Array(6 * 100);
    for (let i = 0; i < 100; i++) many.set(compactPeer(i % 50, i < 2 ? 0 : 1000 + (i % 50)), 6 * i);
    platform.http.route('http://a/', () => ok({ interval: 600, peers: many }));
    const peers: { host: string; port: number }[] = [];
    const announcer = makeAnnouncer(platform, [['http://a/announce']], peers);
    announcer.start();
    await run(platform, announcer, 1000);
    expect(peers).toHaveLength(30);
    expect(peers.every((p) => p.port !== 0)).toBe(true);
    expect(new Set(peers.map((p) => `${p.host}:${p.port}`)).size).toBe(30);
    await announcer.stop();
  });

  it('stop does not hang on a black-holed tracker', async () => {
    const platform = createTestPlatform({ seed: 1 });
    let blackHole = false;
    platform.http.route('http://a/', () =>
      blackHole ? new Promise(() => {}) : ok({ interval: 600, peers: '' }),
    );
    const announcer = makeAnnouncer(platform, [['http://a/announce']]);
    announcer.start();
    await run(platform, announcer, 1000);
    blackHole = true;
    let stopped = false;
    void announcer.stop().then(() => {
      stopped = true;
    });
    const waited = await platform.clock.runUntil(() => stopped);
    expect(waited).toBe(STOP_ANNOUNCE_TIMEOUT_MS);
    expect(eventsOf(platform, 'http://a/')).toEqual(['started', 'stopped']);
  });

  it('records a bad URL as an error and never contacts it', async () => {
    const platform = createTestPlatform({ seed: 1 });
    platform.http.route('http://a/', () => ok({ interval: 600, peers: '' }));
    const announcer = makeAnnouncer(platform, [['ftp://a/announce', 'http://a/announce']]);
    announcer.start();
    await run(platform, announcer, 1000);
    const bad = announcer.status().find((s) => s.url.startsWith('ftp'));
    expect(bad).toMatchObject({ state: 'error', lastError: { code: 'TRACKER_BAD_URL' } });
    expect(platform.http.requests.every((r) => r.url.startsWith('http://a/'))).toBe(true);
    await announcer.stop();
  });
});
