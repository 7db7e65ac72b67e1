import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type Swarm as SwarmType, sameBytes } from './swarm-fixture.js';

let swarm: SwarmType | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

const KiB = 1024;
const MiB = 1024 * KiB;

describe('rate limits (token buckets on the virtual clock)', () => {
  it('a 512 KiB/s download limit holds within 10% on a fast link', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'r.bin', length: 4 * MiB }], 256 * KiB);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    const leecher = await swarm.addLeecher({}, [seeder]);
    leecher.torrent.setRateLimits({ download: 512 * KiB });
    const start = swarm.clock.now();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    const seconds = (swarm.clock.now() - start) / 1000;
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    // 4 MiB at 512 KiB/s is 8 s (the first half-second of burst allowance makes it a little less).
    expect(seconds).toBeGreaterThan(8 * 0.9);
    expect(seconds).toBeLessThan(8 * 1.1);
  });

  it('under a download limit every seeder gets requests, not only the one that connected first', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'shared.bin', length: 4 * MiB }], 64 * KiB);
    swarm = new Swarm(torrent, { latencyMs: 2 });
    const seeders = [await swarm.addSeeder(), await swarm.addSeeder(), await swarm.addSeeder()];
    await swarm.clock.runUntil(() => seeders.every((s) => s.torrent.complete));
    const leecher = await swarm.addLeecher({}, seeders);
    leecher.torrent.setRateLimits({ download: 1 * MiB });
    const start = swarm.clock.now();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    const seconds = (swarm.clock.now() - start) / 1000;
    expect(seconds).toBeLessThan(4 * 1.1);
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    const uploaded = seeders.map((s) => s.torrent.status().uploadedBytes);
    // Each seeder served at least a quarter of the payload (a fair share is a third; it was 4 MiB, 0, 0).
    for (const bytes of uploaded) expect(bytes, `uploads ${uploaded}`).toBeGreaterThan((4 * MiB) / 4);
    expect(seconds).toBeGreaterThan(4 * 0.9); // 4 MiB at 1 MiB/s, and the limit still holds
  });

  it('a global upload limit on the seeder holds, and changing it at run time takes effect', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'r.bin', length: 4 * MiB }], 256 * KiB);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    seeder.session.setRateLimits({ upload: 256 * KiB });
    const leecher = await swarm.addLeecher({}, [seeder]);
    const start = swarm.clock.now();
    await swarm.clock.runUntil(() => leecher.torrent.status().verifiedBytes >= 2 * MiB, { maxMs: 60_000 });
    const firstHalf = (swarm.clock.now() - start) / 1000;
    expect(firstHalf).toBeGreaterThan(8 * 0.85);
    expect(firstHalf).toBeLessThan(8 * 1.15);
    seeder.session.setRateLimits({ upload: 0 });
    const fastStart = swarm.clock.now();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    expect((swarm.clock.now() - fastStart) / 1000).toBeLessThan(2);
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });
});
