/**
 * Storage faults under a seeder and a read-only download folder, on the virtual clock: data that rots or shrinks
 * on disk after it was verified is caught before any of it is uploaded (a piece read back for upload is hashed
 * first, unless it was checked less than `readTrustMs` ago), reported as `piece-lost`, fetched again, and never blamed on a peer; a download folder that refuses
 * writes stops the torrent with STORAGE_READ_ONLY and nothing else breaks.
 */
import type { BitloomError } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

const PIECE = 64 * 1024;

/** A seeder about to be broken, a healthy one, and the `piece-lost` reports of the broken one. */
async function twoSeeders() {
  const torrent = await makeSwarmTorrent([{ name: 'seeded.bin', length: 16 * PIECE }], PIECE);
  swarm = new Swarm(torrent);
  const broken = await swarm.addSeeder();
  const healthy = await swarm.addSeeder();
  await swarm.clock.runUntil(() => broken.torrent.complete && healthy.torrent.complete);
  const lost: { piece: number; reason: string }[] = [];
  broken.torrent.on('piece-lost', (e) => lost.push(e));
  const closes: string[] = [];
  broken.torrent.on('peer-closed', (e) => closes.push(e.reason));
  return { swarm, torrent, broken, healthy, lost, closes };
}

/** A leecher that knows only `first` at the start and `second` a little later. */
async function leecherFrom(s: Swarm, first: SwarmPeer, second: SwarmPeer): Promise<SwarmPeer> {
  const leecher = await s.addLeecher({}, [first]);
  await s.clock.advanceAsync(2000);
  leecher.torrent.addPeer(second.host, second.session.listenPort);
  await s.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
  return leecher;
}

/** The broken seeder learns the healthy one's address (as from a tracker) to fetch what it lost. */
function refetch(run: { broken: SwarmPeer; healthy: SwarmPeer }): void {
  run.broken.torrent.addPeer(run.healthy.host, run.healthy.session.listenPort);
}

describe('storage faults while seeding', () => {
  it('a flipped byte in a file being seeded: caught before any of the piece is uploaded, reported, fetched again', async () => {
    const run = await twoSeeders();
    run.broken.platform.storage.corrupt(0, 5 * PIECE + 1234);
    const leecher = await leecherFrom(run.swarm, run.broken, run.healthy);
    expect(sameBytes(run.swarm.contents(leecher), run.torrent.payload)).toBe(true);
    // Nothing corrupt reached the leecher: not one hash failure, nobody banned.
    expect(leecher.torrent.status().hashFailures).toBe(0);
    expect(run.lost).toEqual([{ piece: 5, reason: expect.stringMatching(/^STORAGE_CORRUPT: /) }]);
    expect(run.closes).not.toContain('storage-error');
    // The broken seeder fetches the piece again (from the healthy one, as a tracker would tell it) and holds the
    // right bytes once more.
    refetch(run);
    await run.swarm.clock.runUntil(() => run.broken.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(run.swarm.contents(run.broken), run.torrent.payload)).toBe(true);
    expect(run.broken.torrent.state).toBe('seeding');
  });

  it('a data file truncated while seeding: the pieces past the cut are lost and refetched, the rest still served', async () => {
    const run = await twoSeeders();
    run.broken.platform.storage.truncate(0, 10 * PIECE + 100);
    const leecher = await leecherFrom(run.swarm, run.broken, run.healthy);
    expect(sameBytes(run.swarm.contents(leecher), run.torrent.payload)).toBe(true);
    expect(leecher.torrent.status().hashFailures).toBe(0);
    expect(run.lost.length).toBeGreaterThan(0);
    for (const { piece, reason } of run.lost) {
      expect(piece).toBeGreaterThanOrEqual(10);
      expect(reason).toMatch(/^STORAGE_(SHORT_READ|CORRUPT): /);
    }
    // Pieces before the cut were still uploaded by the broken seeder.
    expect(run.broken.torrent.status().uploadedBytes).toBeGreaterThan(0);
    refetch(run);
    await run.swarm.clock.runUntil(() => run.broken.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(run.swarm.contents(run.broken), run.torrent.payload)).toBe(true);
  });

  it('each piece is hashed once per read from disk, not once per block served', async () => {
    const run = await twoSeeders();
    const leecher = await run.swarm.addLeecher({}, [run.broken]);
    await run.swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    const cache = Reflect.get(run.broken.torrent, 'readCache') as { verifiedReads: number };
    // 16 pieces of 4 blocks, all fit the 16 MiB read cache: 16 reads and hashes for 64 blocks uploaded.
    expect(cache.verifiedReads).toBe(16);
  });

  it('a piece checked less than readTrustMs ago is not hashed again on a re-read; after the window a flipped byte is caught', async () => {
    // 32 pieces of 64 KiB against a 1 MiB read cache: serving the torrent again reads pieces from disk again.
    const torrent = await makeSwarmTorrent([{ name: 'big.bin', length: 32 * PIECE }], PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder({ readCacheBytes: 1024 * 1024, readTrustMs: 60_000 });
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    const cache = Reflect.get(seeder.torrent, 'readCache') as { verifiedReads: number };
    const lost: string[] = [];
    seeder.torrent.on('piece-lost', (e) => lost.push(e.reason));
    const fetchAll = async () => {
      const leecher = await swarm!.addLeecher({}, [seeder]);
      await swarm!.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
      expect(leecher.torrent.status().hashFailures).toBe(0);
      return leecher;
    };
    await fetchAll();
    expect(cache.verifiedReads).toBe(32); // the start-up check does not count: each piece hashed on its first read
    const readsBefore = seeder.platform.storage.stats.reads;
    await fetchAll();
    expect(seeder.platform.storage.stats.reads).toBeGreaterThan(readsBefore); // read from disk again …
    expect(cache.verifiedReads).toBe(32); // … but trusted: checked less than a minute ago
    await swarm.clock.advanceAsync(61_000);
    seeder.platform.storage.corrupt(0, 7 * PIECE + 99);
    const last = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => lost.length > 0 && last.torrent.status().verifiedBytes === 31 * PIECE, {
      maxMs: 120_000,
    });
    expect(lost).toEqual([expect.stringMatching(/^STORAGE_CORRUPT: piece 7 /)]);
    expect(last.torrent.status().hashFailures).toBe(0); // the rotten piece never went out
  });
});

describe('read-only download folder', () => {
  it('writes refused from the start: the torrent stops with STORAGE_READ_ONLY, the seeder and other leechers carry on', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'ro.bin', length: 8 * PIECE }], PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const stuck = await swarm.addPeer(false, {});
    // The folder refuses every write, as a read-only mount or a folder without write permission does.
    stuck.platform.storage.failWritesWith('STORAGE_READ_ONLY');
    const errors: BitloomError[] = [];
    stuck.torrent.on('error', (e) => errors.push(e as BitloomError));
    stuck.torrent.addPeer(seeder.host, seeder.session.listenPort);
    await swarm.clock.runUntil(() => stuck.torrent.state === 'error', { maxMs: 60_000 });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('STORAGE_READ_ONLY');
    expect(errors[0]!.message).toMatch(/cannot write piece \d+/);
    expect(stuck.torrent.status().piecesHad).toBe(0);
    expect(stuck.torrent.connectionCount).toBe(0);
    // Nothing more happens to the stopped torrent however long the clock runs.
    await swarm.clock.advanceAsync(30_000);
    expect(errors).toHaveLength(1);
    const other = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => other.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(swarm.contents(other), torrent.payload)).toBe(true);
  });
});
