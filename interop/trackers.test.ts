/**
 * Interop: bitloom's tracker clients and announcer against real trackers on loopback — npm `bittorrent-tracker`
 * (HTTP + UDP, in a child process reporting its start/update/complete/stop events as JSON lines) and Debian's
 * `opentracker` (HTTP + UDP, whitelisted info-hash). Announce, re-announce, completed, scrape, stopped.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Announcer } from '../packages/engine/src/tracker/announcer.js';
import { createTrackerClient } from '../packages/engine/src/tracker/create-tracker-client.js';
import { scrape } from '../packages/engine/src/tracker/scrape.js';
import { createNodePlatform, type NodePlatform } from '../packages/node/src/platform.js';
import { JsonLineChild } from './harness/child-process.js';

const WEBTORRENT_DIR = fileURLToPath(new URL('./webtorrent/', import.meta.url));
/** bittorrent-tracker's server, imported directly (its index pulls in WebRTC, which is not installed). */
const TRACKER_SCRIPT = `
const { default: Server } = await import('./node_modules/bittorrent-tracker/server.js');
const server = new Server({ http: true, udp: true, ws: false, interval: 60000 });
const log = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
server.on('error', (e) => log({ error: e.message }));
for (const event of ['start', 'update', 'complete', 'stop']) server.on(event, (addr) => log({ event, addr }));
server.listen({ http: 0, udp: 0 }, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () =>
  log({ listening: true, http: server.http.address().port, udp: server.udp4.address().port }));
`;

const hash = (byte: number) => new Uint8Array(20).fill(byte);
const peerId = (n: number) => new TextEncoder().encode(`-BL0001-interop${String(n).padStart(5, '0')}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(
  predicate: () => boolean,
  explain: () => unknown = () => '',
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time ${JSON.stringify(explain())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function announcer(platform: NodePlatform, url: string, infoHash: Uint8Array, n: number, peers: unknown[]) {
  return new Announcer({
    tiers: [[url]],
    infoHash,
    peerId: peerId(n),
    port: 40_000 + n,
    platform,
    stats: () => ({ uploaded: 0, downloaded: 0, left: n === 1 ? 0 : 1000 }),
    onPeers: (list) => peers.push(...list),
  });
}

let platform: NodePlatform;
beforeAll(() => {
  platform = createNodePlatform({ hashWorkers: 0 });
});
afterAll(async () => {
  await platform.close();
});

describe('bittorrent-tracker (npm)', () => {
  let tracker: JsonLineChild;
  let httpPort: number;
  let udpPort: number;

  beforeAll(async () => {
    tracker = new JsonLineChild(process.execPath, ['--input-type=module', '-e', TRACKER_SCRIPT], {
      cwd: WEBTORRENT_DIR,
    });
    const line = await tracker.waitForLine((l) => l.listening === true, 20_000);
    httpPort = line.http as number;
    udpPort = line.udp as number;
  });
  afterAll(async () => {
    await tracker.stop();
  });

  const events = () => tracker.lines.filter((l) => l.event !== undefined).map((l) => l.event);

  for (const scheme of ['http', 'udp'] as const) {
    it(`${scheme}: started, re-announce, completed, stopped; the second peer learns the first`, async () => {
      const url = scheme === 'http' ? `http://127.0.0.1:${httpPort}/announce` : `udp://127.0.0.1:${udpPort}`;
      const infoHash = hash(scheme === 'http' ? 0x11 : 0x22);
      const before = events().length;
      const peersA: { port: number }[] = [];
      const peersB: { port: number }[] = [];
      const a = announcer(platform, url, infoHash, 1, peersA);
      const b = announcer(platform, url, infoHash, 2, peersB);
      a.start();
      await waitFor(() => a.status()[0]!.state === 'working');
      b.start();
      await waitFor(() => b.status()[0]!.state === 'working');
      expect(peersB.map((p) => p.port)).toContain(40_001);
      // Re-announce: tick as if the interval had passed.
      const announcedAt = a.status()[0]!.lastAnnounceAt!;
      a.tick(platform.clock.now() + 3 * 60 * 60_000);
      await waitFor(() => a.status()[0]!.lastAnnounceAt! > announcedAt);
      b.completed();
      b.tick(platform.clock.now());
      await waitFor(() => events().slice(before).includes('complete'));
      await Promise.all([a.stop(), b.stop()]);
      await waitFor(
        () =>
          events()
            .slice(before)
            .filter((e) => e === 'stop').length === 2,
      );
      expect(events().slice(before)).toEqual(['start', 'start', 'update', 'complete', 'stop', 'stop']);
      expect(a.status()[0]!.lastError).toBeUndefined();
    });
  }

  it('scrape over HTTP and UDP', async () => {
    const infoHash = hash(0x33);
    const a = announcer(platform, `http://127.0.0.1:${httpPort}/announce`, infoHash, 1, []);
    a.start();
    await waitFor(() => a.status()[0]!.state === 'working');
    const [overHttp] = await scrape(`http://127.0.0.1:${httpPort}/announce`, [infoHash], platform);
    const [overUdp] = await scrape(`udp://127.0.0.1:${udpPort}`, [infoHash], platform);
    expect(overHttp).toMatchObject({ seeders: 1, leechers: 0 });
    expect(overUdp).toMatchObject({ seeders: 1, leechers: 0 });
    await a.stop();
  });
});

describe('opentracker (Debian)', () => {
  let tracker: JsonLineChild;
  let port: number;
  let dir: string;
  const whitelisted = hash(0x44);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bitloom-opentracker-'));
    await chmod(dir, 0o755);
    const whitelist = join(dir, 'whitelist');
    await writeFile(whitelist, `${Buffer.from(whitelisted).toString('hex')}\n`);
    await chmod(whitelist, 0o644);
    port = await freePort();
    tracker = new JsonLineChild(
      'opentracker',
      ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-w', 'whitelist', '-d', dir],
      { cwd: dir },
    );
    // It chroots to `dir` and reads the whitelist there (a relative name) on a thread of its own, after it has
    // started listening: until then an announce of the whitelisted hash fails "not authorized" (a `stopped` one
    // is not checked). Ready when a `started` announce succeeds; the probe's `stopped` then removes its peer.
    const probe = createTrackerClient(`http://127.0.0.1:${port}/announce`, platform);
    const request = (event: 'started' | 'stopped') => ({
      ...{ infoHash: whitelisted, peerId: peerId(0), port: 40_000, uploaded: 0, downloaded: 0, left: 0 },
      ...{ event, numwant: 0, key: 0 },
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await probe.announce(request('started'), new AbortController().signal);
        break;
      } catch (error) {
        if (Date.now() > deadline || tracker.exitStatus !== undefined) throw tracker.failure(String(error));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await probe.announce(request('stopped'), new AbortController().signal);
    await probe.close();
  });
  afterAll(async () => {
    await tracker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const scheme of ['http', 'udp'] as const) {
    it(`${scheme}: two peers find each other, scrape counts them, stopped removes them`, async () => {
      const url = scheme === 'http' ? `http://127.0.0.1:${port}/announce` : `udp://127.0.0.1:${port}`;
      const peersB: { port: number }[] = [];
      const a = announcer(platform, url, whitelisted, 1, []);
      const b = announcer(platform, url, whitelisted, 2, peersB);
      a.start();
      const explain = (who: Announcer) => ({
        status: who.status(),
        tracker: tracker.exitStatus,
        stderr: tracker.stderr,
      });
      await waitFor(
        () => a.status()[0]!.state === 'working',
        () => explain(a),
      );
      b.start();
      await waitFor(
        () => b.status()[0]!.state === 'working',
        () => explain(b),
      );
      expect(peersB.map((p) => p.port)).toContain(40_001);
      expect(b.status()[0]).toMatchObject({ seeders: 1, leechers: 1 });
      const [counts] = await scrape(url, [whitelisted], platform);
      expect(counts).toMatchObject({ seeders: 1, leechers: 1 });
      await Promise.all([a.stop(), b.stop()]);
      const [after] = await scrape(url, [whitelisted], platform);
      expect(after).toMatchObject({ seeders: 0, leechers: 0 });
    });
  }

  it('a torrent that is not whitelisted is a recorded TRACKER_FAILURE', async () => {
    const a = announcer(platform, `http://127.0.0.1:${port}/announce`, hash(0x55), 1, []);
    a.start();
    await waitFor(() => a.status()[0]!.state === 'error');
    expect(a.status()[0]!.lastError?.code).toBe('TRACKER_FAILURE');
    await a.stop();
  });
});
