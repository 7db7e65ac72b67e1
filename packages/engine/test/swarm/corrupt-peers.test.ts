/**
 * Corrupt peers in a swarm: a tenth of the peers serve bad data. Every leecher must still end with the exact
 * payload, and only the corrupt peers may be banned — by the single-sender rule when one of them sent a whole
 * failed piece, by smart ban when honest peers sent blocks of it too. One case more: a corrupt peer that is the
 * only source of a piece; once it is banned the piece has no source at all, and the leecher must wait for an
 * honest one without getting stuck.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lieOnUpload, makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

/** Turns a seeder into a liar: a wrong byte in every block of `pieces` it uploads. */
function corruptPieces(_s: Swarm, liar: SwarmPeer, pieces: Iterable<number>): void {
  lieOnUpload(liar, pieces);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('corrupt peers', () => {
  it('2 corrupt peers of 20: every leecher completes exactly, only the corrupt peers are banned', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 4 * MiB }], 128 * KiB);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 2 * MiB, latencyMs: 5 });
    const s = swarm;
    const honestSeeders = [
      await s.addSeeder(),
      await s.addSeeder(),
      await s.addSeeder(),
      await s.addSeeder(),
    ];
    const liars = [await s.addSeeder(), await s.addSeeder()];
    await s.clock.runUntil(() => liars.every((l) => l.torrent.state === 'seeding'));
    for (const liar of liars) corruptPieces(s, liar, range(torrent.info.pieceCount));
    const liarHosts = new Set(liars.map((l) => l.host));

    const bans: { by: string; host: string }[] = [];
    const senders: number[] = [];
    const leechers: SwarmPeer[] = [];
    for (let i = 0; i < 14; i++) {
      // Each leecher knows every seeder, liars included, and the leechers before it.
      const leecher = await s.addLeecher({}, [...liars, ...honestSeeders, ...leechers]);
      leecher.torrent.on('peer-closed', (e) => {
        if (e.reason === 'banned') bans.push({ by: leecher.host, host: e.address.split(':')[0]! });
      });
      leecher.torrent.on('piece-failed', (e) => senders.push(e.peers));
      leechers.push(leecher);
    }
    await s.clock.runUntil(() => leechers.every((l) => l.torrent.complete), { maxMs: 600_000 });

    for (const leecher of leechers) {
      expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
    }
    const failures = leechers.reduce((sum, l) => sum + l.torrent.status().hashFailures, 0);
    expect(failures).toBeGreaterThan(0);
    // Both ways of finding a liar were needed: pieces it sent alone, and pieces shared with honest peers.
    expect(senders).toContain(1);
    expect(senders.some((n) => n > 1)).toBe(true);
    // Only liars were banned, and each liar by at least one leecher.
    expect(bans.filter((b) => !liarHosts.has(b.host))).toEqual([]);
    for (const liar of liars) expect(bans.some((b) => b.host === liar.host)).toBe(true);
    // No leecher holds a ban on an honest peer (seeders or leechers).
    for (const leecher of leechers) {
      for (const honest of [...honestSeeders, ...leechers]) {
        expect(leecher.torrent.knownPeers.isBanned(honest.host, 6881)).toBe(false);
      }
    }
  });

  it('a corrupt peer that is the only source of a piece: banned, the piece waits for an honest source, then completes', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 2 * MiB }], 256 * KiB);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 2 * MiB, latencyMs: 5 });
    const s = swarm;
    const rarePiece = 5;
    const partial = await s.addPartialSeeder((piece) => piece !== rarePiece);
    const liar = await s.addSeeder();
    await s.clock.runUntil(
      () => partial.torrent.state === 'seeding' || partial.torrent.state === 'downloading',
    );
    await s.clock.runUntil(() => liar.torrent.state === 'seeding');
    expect(partial.torrent.picker.have(rarePiece)).toBe(false);
    expect(partial.torrent.picker.haveCount).toBe(torrent.info.pieceCount - 1);
    corruptPieces(s, liar, [rarePiece]);

    const leecher = await s.addLeecher({}, [partial, liar]);
    const closes: string[] = [];
    const failed: { piece: number; peers: number }[] = [];
    leecher.torrent.on('peer-closed', (e) => closes.push(`${e.address.split(':')[0]} ${e.reason}`));
    leecher.torrent.on('piece-failed', (e) => failed.push(e));
    await s.clock.runUntil(() => closes.includes(`${liar.host} banned`), { maxMs: 60_000 });
    // The liar sent the whole rare piece alone: banned on the first failure, by the single-sender rule.
    expect(failed[0]).toEqual({ piece: rarePiece, peers: 1 });

    // Now nobody has the piece. The leecher gets everything else and waits, asking nobody for it.
    await s.clock.runUntil(() => leecher.torrent.picker.haveCount === torrent.info.pieceCount - 1, {
      maxMs: 60_000,
    });
    await s.clock.advanceAsync(30_000);
    expect(leecher.torrent.complete).toBe(false);
    expect(leecher.torrent.picker.partialPieces()).toEqual([]);
    expect(leecher.torrent.knownPeers.isBanned(liar.host, 6881)).toBe(true);
    expect(leecher.torrent.knownPeers.isBanned(partial.host, 6881)).toBe(false);
    expect(closes.filter((c) => c.startsWith(`${partial.host} `))).toEqual([]);

    // An honest source appears: the piece comes from it.
    const honest = await s.addSeeder();
    await s.clock.runUntil(() => honest.torrent.state === 'seeding');
    leecher.torrent.addPeer(honest.host, honest.session.listenPort);
    await s.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
    expect(leecher.torrent.status().hashFailures).toBe(1);
    expect(closes.filter((c) => c.endsWith(' banned'))).toEqual([`${liar.host} banned`]);
  });

  it('a storage that hashes pieces on their way to disk: corrupt pieces never reach it, liars are still banned', async () => {
    // Pieces inside one file go to the storage's writeVerified, pieces across two files through the hasher.
    const files = [
      { name: 'one.bin', length: MiB + 40 * KiB },
      { name: 'two.bin', length: 700 * KiB },
      { name: 'three.bin', length: MiB },
    ];
    const torrent = await makeSwarmTorrent(files, 128 * KiB);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 2 * MiB, latencyMs: 5, hashesWrites: true });
    const s = swarm;
    const honest = [await s.addSeeder(), await s.addSeeder()];
    const liar = await s.addSeeder();
    await s.clock.runUntil(() => liar.torrent.state === 'seeding');
    corruptPieces(s, liar, range(torrent.info.pieceCount));
    const leechers: SwarmPeer[] = [];
    const bans: string[] = [];
    for (let i = 0; i < 3; i++) {
      const leecher = await s.addLeecher({}, [liar, ...honest]);
      leecher.torrent.on('peer-closed', (e) => {
        if (e.reason === 'banned') bans.push(e.address.split(':')[0]!);
      });
      leechers.push(leecher);
    }
    await s.clock.runUntil(() => leechers.every((l) => l.torrent.complete), { maxMs: 300_000 });
    for (const leecher of leechers) {
      expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
      // Every byte written was verified: each piece reached the disk once, failed ones never did.
      expect(leecher.platform.storage.stats.bytesWritten).toBe(torrent.info.totalLength);
      expect(leecher.platform.storage.stats.verifiedWrites).toBeGreaterThan(0);
    }
    expect(leechers.reduce((sum, l) => sum + l.torrent.status().hashFailures, 0)).toBeGreaterThan(0);
    expect(bans.length).toBeGreaterThan(0);
    expect(bans.every((host) => host === liar.host)).toBe(true);
  });
});
