import { Session, testingSettings } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

let swarm: Swarm | undefined;

/** The torrent's piece memory, as the budget tests look at it. */
function assemblyOf(peer: SwarmPeer): { heldBytes: number; overBudget: boolean; budget: number } {
  return Reflect.get(peer.torrent, 'assembly') as { heldBytes: number; overBudget: boolean; budget: number };
}
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

describe('storage faults', () => {
  it('disk full mid-download: the torrent stops with a clear error, nothing unwritten counts, and a restart resumes without re-downloading', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'full.bin', length: 2 * 1024 * 1024 }], 128 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => leecher.torrent.status().piecesHad >= 4);
    leecher.platform.storage.failWritesWith('STORAGE_DISK_FULL');
    const errors: Error[] = [];
    leecher.torrent.on('error', (e) => errors.push(e));
    await swarm.clock.runUntil(() => leecher.torrent.state === 'error', { maxMs: 60_000 });
    expect(errors[0]?.message).toMatch(/cannot write piece/);
    expect((errors[0] as { code?: string }).code).toBe('STORAGE_DISK_FULL');
    const had = leecher.torrent.status().piecesHad;
    expect(had).toBeLessThan(torrent.info.pieceCount);
    // Every piece counted as had is really on "disk" and verifies.
    const stored = leecher.platform.storage.files().get('/data/full.bin') ?? new Uint8Array();
    for (let piece = 0; piece < torrent.info.pieceCount; piece++) {
      if (!leecher.torrent.picker.have(piece)) continue;
      const at = piece * torrent.info.pieceLength;
      expect(
        sameBytes(
          stored.subarray(at, at + torrent.info.pieceLength),
          torrent.payload.subarray(at, at + torrent.info.pieceLength),
        ),
      ).toBe(true);
    }
    // Space is freed; a new session over the same storage keeps what verified and fetches only the rest.
    leecher.platform.storage.failWritesWith(null);
    await leecher.session.close();
    const again = await Session.create({
      platform: leecher.platform,
      listen: { host: leecher.host, port: 6882 },
      settings: testingSettings(),
    });
    try {
      const resumed = again.addTorrent(torrent.info, {
        savePath: '/data',
        peers: [{ host: seeder.host, port: 6881 }],
      });
      await swarm.clock.runUntil(() => resumed.complete, { maxMs: 120_000 });
      expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
      expect(resumed.status().downloadedBytes).toBeLessThanOrEqual(
        (torrent.info.pieceCount - had) * torrent.info.pieceLength,
      );
    } finally {
      await again.close();
    }
  });

  it('a download tells the platform early that it will hash and write; a seeder only that it will hash', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'prepared.bin', length: 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => leecher.torrent.state === 'downloading', { maxMs: 10_000 });
    // Before the first piece is hashed or written, so the worker threads can boot meanwhile.
    expect(leecher.platform.storage.stats.writes).toBe(0);
    expect(leecher.platform.hasher.prepared).toBeGreaterThan(0);
    expect(leecher.platform.storage.stats.writePrepares).toBe(1);
    expect(seeder.platform.hasher.prepared).toBeGreaterThan(0);
    expect(seeder.platform.storage.stats.writePrepares).toBe(0);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });

  it('a download onto a storage that hashes what it writes does not start the hasher; a check does', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'unprepared.bin', length: 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent, { hashesWrites: true });
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    expect(leecher.platform.hasher.prepared).toBe(0);
    expect(leecher.platform.storage.stats.verifiedWrites).toBe(torrent.info.pieceCount);
    expect(leecher.platform.storage.stats.writePrepares).toBe(1);
    expect(seeder.platform.hasher.prepared).toBeGreaterThan(0); // its start-up check hashed its data
  });

  it('the piece-memory budget grows with the peers sending: three seeders get twice what one gets', async () => {
    const MIB = 1024 * 1024;
    const torrent = await makeSwarmTorrent([{ name: 'three-senders.bin', length: 80 * MIB }], MIB);
    swarm = new Swarm(torrent);
    const seeders = [await swarm.addSeeder(), await swarm.addSeeder(), await swarm.addSeeder()];
    const leecher = await swarm.addLeecher({ maxPieceBufferBytes: 16 * MIB }, seeders);
    const release = leecher.platform.storage.holdWrites();
    const assembly = assemblyOf(leecher);
    const sending = () =>
      [...leecher.torrent.peers.values()].filter((peer) => peer.isActive && !peer.peerChoking).length;
    await swarm.clock.runUntil(() => sending() === 3, { maxMs: 60_000 });
    await swarm.clock.advanceAsync(1_000); // a tick or two
    expect(assembly.budget).toBe(32 * MIB); // 16 MiB, and half of it for each of the two further senders
    // Nothing is written: the grown budget fills, and held bytes stay within it and the pipelines in flight.
    await swarm.clock.advanceAsync(5_000);
    expect(assembly.overBudget).toBe(true);
    expect(assembly.heldBytes).toBeLessThanOrEqual(32 * MIB + 3 * 8 * MIB);
    release();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });

  it('a stalled disk: requests stop at the piece-memory budget and resume the moment a finished write frees it', async () => {
    const MIB = 1024 * 1024;
    const torrent = await makeSwarmTorrent([{ name: 'slow-disk.bin', length: 40 * MIB }], MIB);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({ maxPieceBufferBytes: 16 * MIB }, [seeder]);
    const release = leecher.platform.storage.holdWrites();
    const outstanding = () => {
      let sum = 0;
      for (const peer of (
        Reflect.get(leecher.torrent, 'peers') as Map<unknown, { outstanding: { size: number } }>
      ).values())
        sum += peer.outstanding.size;
      return sum;
    };
    const assembly = assemblyOf(leecher);
    // Nothing can be written: the budget fills, and once the started pieces are in, nothing more is asked for.
    await swarm.clock.runUntil(() => assembly.overBudget && outstanding() === 0, { maxMs: 60_000 });
    expect(assembly.budget).toBe(16 * MIB); // one peer sending: the setting
    expect(assembly.heldBytes).toBeLessThanOrEqual(16 * MIB + 8 * MIB);
    const beforeRelease = swarm.clock.now();
    release();
    // The writes complete, the budget frees, and requests go out again without waiting for a tick or a block.
    await swarm.clock.runUntil(() => outstanding() > 0, { maxMs: 1000 });
    expect(swarm.clock.now() - beforeRelease).toBeLessThan(5);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });

  it('data deleted while seeding: the lost pieces are reported and no longer served, the peer is not blamed, the leecher completes elsewhere', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'gone.bin', length: 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent);
    const broken = await swarm.addSeeder();
    const healthy = await swarm.addSeeder();
    await swarm.clock.runUntil(() => broken.torrent.complete && healthy.torrent.complete);
    // The file vanishes under the seeder: every read now fails as a missing file would.
    broken.platform.storage.failReadsWith('STORAGE_MISSING');
    const lost: number[] = [];
    broken.torrent.on('piece-lost', (e) => lost.push(e.piece));
    const closes: string[] = [];
    broken.torrent.on('peer-closed', (e) => closes.push(e.reason));
    const leecher = await swarm.addLeecher({}, [broken, healthy]);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    expect(lost.length).toBeGreaterThan(0);
    expect(broken.torrent.picker.have(lost[0]!)).toBe(false);
    expect(closes).not.toContain('storage-error');
    expect(leecher.torrent.status().hashFailures).toBe(0);
  });
});
