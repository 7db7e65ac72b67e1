/**
 * Simulation: a seeder and a leecher that know each other only through an HTTP tracker (BEP 3, compact peers per
 * BEP 23), on the virtual clock and the in-memory network. The tracker is in memory too: each peer's
 * MemoryHttpClient routes to it with the peer's own address, as a real tracker sees the source of a request.
 * The leecher must complete, and the tracker must see its started, completed and stopped announces in order.
 */
import {
  createTestPlatform,
  MemoryHttpClient,
  MemoryNetwork,
  type TestPlatform,
  VirtualClock,
} from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { bdict, encode } from '../../src/bencode/index.js';
import type { HttpResponse } from '../../src/platform/http.js';
import { Session } from '../../src/session/session.js';
import { testingSettings } from '../../src/session/settings.js';
import type { Torrent } from '../../src/torrent/torrent.js';
import { makeSwarmTorrent, type SwarmTorrent, sameBytes } from '../swarm/swarm-fixture.js';

const TRACKER_URL = 'http://tracker.test/announce';
const INTERVAL_SECONDS = 1800;

/** One announce as the tracker received it. */
interface ReceivedAnnounce {
  host: string;
  port: number;
  event: string;
  left: number;
  downloaded: number;
  infoHash: string;
}

/** `%xx` and plain characters of a query value, as the bytes they stand for. */
function percentDecodeBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** A minimal HTTP tracker: keeps the peers of each info-hash and answers with the others, compact. */
class MemoryTracker {
  readonly announces: ReceivedAnnounce[] = [];
  /** info-hash hex → peer id hex → address. */
  readonly #swarms = new Map<string, Map<string, { host: string; port: number; left: number }>>();

  /** The HTTP client of the peer at `host`: its requests reach this tracker. */
  clientFor(host: string): MemoryHttpClient {
    const http = new MemoryHttpClient();
    http.route(TRACKER_URL, (url) => this.#announce(url, host));
    return http;
  }

  /** The events one peer sent, in order (`none` for a regular re-announce). */
  eventsFrom(host: string): string[] {
    return this.announces.filter((a) => a.host === host).map((a) => a.event);
  }

  #announce(url: string, host: string): HttpResponse {
    const params = new Map<string, string>();
    for (const pair of url.slice(url.indexOf('?') + 1).split('&')) {
      const equals = pair.indexOf('=');
      params.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    const infoHash = hex(percentDecodeBytes(params.get('info_hash') ?? ''));
    const peerId = hex(percentDecodeBytes(params.get('peer_id') ?? ''));
    const port = Number(params.get('port'));
    const left = Number(params.get('left'));
    const event = params.get('event') ?? 'none';
    this.announces.push({ host, port, event, left, downloaded: Number(params.get('downloaded')), infoHash });

    const swarm = this.#swarms.get(infoHash) ?? new Map();
    this.#swarms.set(infoHash, swarm);
    if (event === 'stopped') swarm.delete(peerId);
    else swarm.set(peerId, { host, port, left });
    const others = [...swarm.entries()].filter(([id]) => id !== peerId).map(([, peer]) => peer);
    const peers = new Uint8Array(others.length * 6);
    others.forEach((peer, index) => {
      peers.set(peer.host.split('.').map(Number), index * 6);
      peers.set([peer.port >> 8, peer.port & 0xff], index * 6 + 4);
    });
    const seeders = others.filter((peer) => peer.left === 0).length + (left === 0 ? 1 : 0);
    return {
      status: 200,
      headers: {},
      body: encode(
        bdict({
          interval: INTERVAL_SECONDS,
          complete: seeders,
          incomplete: swarm.size - seeders,
          peers,
        }),
      ),
    };
  }
}

interface TrackedPeer {
  readonly host: string;
  readonly platform: TestPlatform;
  readonly session: Session;
  readonly torrent: Torrent;
}

/** Peers on one network whose only way to find each other is the tracker. */
class TrackedSwarm {
  readonly clock = new VirtualClock();
  readonly network = new MemoryNetwork(this.clock, {
    bandwidthBytesPerSecond: 2 * 1024 * 1024,
    latencyMs: 5,
  });
  readonly tracker = new MemoryTracker();
  readonly peers: TrackedPeer[] = [];

  constructor(readonly swarmTorrent: SwarmTorrent) {}

  /** `trackerReachable: false` gives the peer an HTTP client with no route: every announce fails to connect. */
  async addPeer(host: string, withData: boolean, trackerReachable = true): Promise<TrackedPeer> {
    const platform = createTestPlatform({
      seed: this.peers.length + 1,
      host,
      network: this.network,
      http: trackerReachable ? this.tracker.clientFor(host) : new MemoryHttpClient(),
    });
    const { info, payload } = this.swarmTorrent;
    if (withData) {
      const files = await platform.storage.open(
        '/data',
        info.files.map((f) => ({ path: f.path, length: f.length, padding: f.padding })),
      );
      for (const [index, file] of info.files.entries()) {
        await files.write(index, 0, payload.subarray(file.offset, file.offset + file.length));
      }
    }
    const session = await Session.create({
      platform,
      listen: { host, port: 6881 },
      settings: testingSettings(),
    });
    // No `peers`: the tracker is the only introduction.
    const torrent = session.addTorrent(info, { savePath: '/data', trackers: [[TRACKER_URL]] });
    const peer = { host, platform, session, torrent };
    this.peers.push(peer);
    return peer;
  }

  contents(peer: TrackedPeer): Uint8Array {
    const stored = peer.platform.storage.files();
    const out = new Uint8Array(this.swarmTorrent.info.totalLength);
    for (const file of this.swarmTorrent.info.files) {
      const bytes = stored.get(['/data', ...file.path].join('/'));
      if (bytes) out.set(bytes.subarray(0, file.length), file.offset);
    }
    return out;
  }

  async closeAll(): Promise<void> {
    for (const peer of this.peers) await peer.session.close();
  }
}

let swarm: TrackedSwarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

describe('announcing in a simulated swarm', () => {
  it('a leecher finds the seeder through the tracker, completes, and announces started → completed → stopped', async () => {
    const swarmTorrent = await makeSwarmTorrent(
      [{ name: 'payload.bin', length: 1024 * 1024 + 777 }],
      64 * 1024,
    );
    const { info } = swarmTorrent;
    swarm = new TrackedSwarm(swarmTorrent);
    const seeder = await swarm.addPeer('10.0.0.1', true);
    await swarm.clock.runUntil(() => swarm!.tracker.eventsFrom(seeder.host).includes('started'));
    const leecher = await swarm.addPeer('10.0.0.2', false);

    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 300_000 });
    expect(sameBytes(swarm.contents(leecher), swarmTorrent.payload)).toBe(true);
    // `completed` goes out on the announcer's next tick.
    await swarm.clock.runUntil(() => swarm!.tracker.eventsFrom(leecher.host).includes('completed'));
    const [status] = leecher.torrent.trackers();
    expect(status).toMatchObject({ url: TRACKER_URL, state: 'working', failures: 0 });
    expect(status!.peersReceived).toBeGreaterThanOrEqual(1);

    await leecher.session.close();
    const fromLeecher = swarm.tracker.announces.filter((a) => a.host === leecher.host);
    expect(fromLeecher.map((a) => a.event)).toEqual(['started', 'completed', 'stopped']);
    for (const announce of fromLeecher) {
      expect(announce.infoHash).toBe(hex(info.infoHash));
      expect(announce.port).toBe(6881);
    }
    // What it said it had left and had downloaded, at each step.
    expect(fromLeecher[0]).toMatchObject({ left: info.totalLength, downloaded: 0 });
    expect(fromLeecher[1]).toMatchObject({ left: 0 });
    expect(fromLeecher[1]!.downloaded).toBeGreaterThanOrEqual(info.totalLength);
    expect(fromLeecher[2]).toMatchObject({ left: 0 });
    // The seeder announced itself complete and was never told to send `completed` (it downloaded nothing).
    expect(swarm.tracker.eventsFrom(seeder.host)).toEqual(['started']);
    expect(swarm.tracker.announces.find((a) => a.host === seeder.host)?.left).toBe(0);
    expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(info.totalLength);
  });

  it('skipping the files still missing completes the download (done, seeding) but is no `completed` to the tracker', async () => {
    const half = 512 * 1024;
    const swarmTorrent = await makeSwarmTorrent(
      [
        { name: 'first.bin', length: half },
        { name: 'second.bin', length: half },
      ],
      64 * 1024,
    );
    swarm = new TrackedSwarm(swarmTorrent);
    await swarm.addPeer('10.0.0.1', true);
    const leecher = await swarm.addPeer('10.0.0.2', false);
    leecher.torrent.setSequential(true);
    let done = 0;
    leecher.torrent.on('done', () => done++);
    const first = leecher.torrent.files()[0]!;
    await swarm.clock.runUntil(() => first.status().progress === 1, { maxMs: 300_000 });
    expect(leecher.torrent.complete).toBe(false);

    leecher.torrent.selectFiles([{ start: 0, end: 0 }]);
    await swarm.clock.runUntil(() => done === 1);
    expect(leecher.torrent.state).toBe('seeding');
    expect(leecher.torrent.status().progress).toBe(1);
    // As at the end of any download: the seed has nothing more for us and is let go.
    expect(leecher.torrent.peers.size).toBe(0);
    await swarm.clock.advanceAsync(60_000);
    await leecher.session.close();
    const fromLeecher = swarm.tracker.announces.filter((a) => a.host === leecher.host);
    expect(fromLeecher.map((a) => a.event)).not.toContain('completed');
    expect(fromLeecher.at(-1)).toMatchObject({ event: 'stopped' });
    expect(fromLeecher.at(-1)!.left).toBeGreaterThan(0);
  });

  it('a download of some files only never announces `completed` (left stays above 0)', async () => {
    const swarmTorrent = await makeSwarmTorrent(
      [
        { name: 'first.bin', length: 256 * 1024 },
        { name: 'second.bin', length: 256 * 1024 },
      ],
      64 * 1024,
    );
    swarm = new TrackedSwarm(swarmTorrent);
    await swarm.addPeer('10.0.0.1', true);
    const leecher = await swarm.addPeer('10.0.0.2', false);
    leecher.torrent.selectFiles([{ start: 1, end: 1 }]);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 300_000 });
    await swarm.clock.advanceAsync(60_000);
    await leecher.session.close();
    const events = swarm.tracker.eventsFrom(leecher.host);
    expect(events[0]).toBe('started');
    expect(events.at(-1)).toBe('stopped');
    expect(events).not.toContain('completed');
  });

  it('control: when the leecher cannot reach the tracker, the two peers never meet', async () => {
    const swarmTorrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 256 * 1024 }], 64 * 1024);
    swarm = new TrackedSwarm(swarmTorrent);
    await swarm.addPeer('10.0.0.1', true);
    // The tracker is unreachable from the leecher, so it learns no peer.
    const leecher = await swarm.addPeer('10.0.0.2', false, false);
    await swarm.clock.advanceAsync(120_000);
    expect(leecher.torrent.status().downloadedBytes).toBe(0);
    expect(leecher.torrent.trackers()[0]).toMatchObject({ state: 'error', peersReceived: 0 });
    expect(leecher.torrent.trackers()[0]!.lastError?.code).toBe('TRACKER_HTTP');
  });
});
