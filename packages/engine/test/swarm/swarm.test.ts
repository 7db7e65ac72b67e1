import { afterEach, describe, expect, it } from 'vitest';
import { lieOnUpload, makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

describe('simulated swarms on the virtual clock', () => {
  it('one seeder and ten leechers all complete with the exact payload', async () => {
    const torrent = await makeSwarmTorrent(
      [{ name: 'payload.bin', length: 3 * 1024 * 1024 + 1234 }],
      256 * 1024,
    );
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 4 * 1024 * 1024, latencyMs: 5 });
    const seeder = await swarm.addSeeder();
    const leechers: SwarmPeer[] = [];
    for (let i = 0; i < 10; i++) {
      // Each leecher knows the seeder and the leechers before it, so pieces also flow between leechers.
      leechers.push(await swarm.addLeecher({}, [seeder, ...leechers]));
    }
    await swarm.clock.runUntil(() => leechers.every((l) => l.torrent.complete), { maxMs: 600_000 });
    for (const leecher of leechers) {
      expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
      expect(leecher.torrent.status().state).toBe('seeding');
    }
    const fromLeechers = leechers.reduce((sum, l) => sum + l.torrent.status().uploadedBytes, 0);
    expect(fromLeechers).toBeGreaterThan(0);
  });

  it('a multi-file torrent with odd sizes, a zero-length file and a 1-byte last piece', async () => {
    const pieceLength = 64 * 1024;
    const files = [
      { name: 'a.bin', length: 100_000 },
      { name: 'empty.txt', length: 0 },
      { name: 'b.bin', length: 3 * pieceLength - 100_000 + 1 },
    ];
    const torrent = await makeSwarmTorrent(files, pieceLength);
    expect(torrent.info.pieceCount).toBe(4);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    expect(leecher.platform.storage.files().get('/data/swarm/empty.txt')?.length).toBe(0);
  });

  it('bans a peer that serves corrupt data and still completes correctly from the honest one', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 2 * 1024 * 1024 }], 128 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 2 * 1024 * 1024 });
    const honest = await swarm.addSeeder();
    const liar = await swarm.addSeeder();
    await swarm.clock.runUntil(() => liar.torrent.status().state === 'seeding');
    lieOnUpload(liar);
    const leecher = await swarm.addLeecher({}, [liar, honest]);
    const closes: string[] = [];
    leecher.torrent.on('peer-closed', (e) => closes.push(`${e.address} ${e.reason}`));
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 600_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    expect(leecher.torrent.status().hashFailures).toBeGreaterThan(0);
    expect(closes).toContain(`${liar.host}:6881 banned`);
    expect(closes.some((c) => c.startsWith(`${honest.host}:`) && c.endsWith('banned'))).toBe(false);
    expect(leecher.torrent.knownPeers.isBanned(liar.host, 6881)).toBe(true);
  });

  it('a peer vanishing mid-piece leaves no block stuck', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 4 * 1024 * 1024 }], 1024 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
    const first = await swarm.addSeeder();
    const second = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [first, second]);
    await swarm.clock.runUntil(() => leecher.torrent.status().downloadedBytes > 1024 * 1024);
    expect(leecher.torrent.complete).toBe(false);
    // Reset every connection of the first seeder, then black-hole it: its requested blocks must go elsewhere.
    swarm.network.resetConnections(first.host);
    swarm.network.dropHost(first.host);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });

  it('a peer that silently stalls (black hole) is snubbed at the request timeout and its blocks re-requested', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 8 * 1024 * 1024 }], 512 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
    const stalling = await swarm.addSeeder();
    const steady = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({ requestTimeoutMs: 5_000 }, [stalling, steady]);
    await swarm.clock.runUntil(() => leecher.torrent.status().downloadedBytes > 512 * 1024);
    expect(leecher.torrent.picker.isEndgame()).toBe(false);
    swarm.network.dropHost(stalling.host);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    const stalled = [...leecher.torrent.peers.values()].find((p) => p.remoteAddress === stalling.host);
    expect(stalled?.snubbed ?? true).toBe(true);
  });

  it('endgame finishes the last piece when the peer first asked stalls, well before the request timeout', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 2 * 1024 * 1024 }], 256 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
    const slow = await swarm.addSeeder();
    const fast = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({ requestTimeoutMs: 60_000 }, [slow, fast]);
    await swarm.clock.runUntil(() => leecher.torrent.picker.isEndgame(), { maxMs: 120_000 });
    // The slow seeder stops answering: only endgame duplicates to the other seeder can finish now.
    swarm.network.dropHost(slow.host);
    const stalledAt = swarm.clock.now();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(swarm.clock.now() - stalledAt).toBeLessThan(60_000);
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });
});
