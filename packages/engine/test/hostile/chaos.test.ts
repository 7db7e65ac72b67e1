/**
 * Thousands of chaos sessions (testkit `ChaosPeer`: random valid, invalid, partial and oversized messages at random
 * virtual times, from a seed) against a bitloom seeder and a bitloom leecher that is still downloading, while
 * honest bitloom peers use the same swarm. Nothing may crash or reject unhandled, no torrent may fail, the
 * connection maps, buffers and queues must come back to their baseline once the chaos ends, and the honest peers
 * (the attacked leecher too) must complete with the exact payload.
 *
 * CHAOS_SESSIONS=n and CHAOS_SEED=n run other amounts and other seeds (a failing seed replays exactly).
 */

import { type ChaosAction, ChaosPeer } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BUDGET_FACTOR } from '../../src/torrent/piece-assembly.js';
import { makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from '../swarm/swarm-fixture.js';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 2000);
const SEED = Number(process.env.CHAOS_SEED ?? 1);
const CONCURRENCY = 40;
const PIECE = 64 * 1024;

/**
 * The close reasons a torrent may report for a chaos peer. Not among them: storage-error and torrent-stopped (our
 * own failures), connect-failed (we never dial them), self-connection.
 */
const EXPECTED_REASONS = new Set<string>([
  'protocol-error',
  'message-too-long',
  'inactive',
  'remote-closed',
  'banned',
  'not-useful',
  'duplicate-connection',
  'too-many-connections',
  'handshake-timeout',
  'bad-handshake',
]);

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

/** The chaos peers' addresses: 10.1.x.y, one host per session. */
const chaosHost = (i: number) => `10.1.${(i >> 8) & 0xff}.${i & 0xff}`;
const isChaos = (address: string) => address.startsWith('10.1.');

/** Live state of one bitloom peer that must return to its baseline once the chaos is over. */
function footprint(peer: SwarmPeer) {
  const { torrent, session } = peer;
  const assembly = Reflect.get(torrent, 'assembly') as { heldBytes: number };
  const readCache = Reflect.get(torrent, 'readCache') as { bytes: number } | undefined;
  return {
    chaosConnections: [...torrent.peers.values()].filter((p) => isChaos(p.remoteAddress)).length,
    sessionConnections: (Reflect.get(session, 'connections') as Set<unknown>).size,
    halfOpen: Reflect.get(session, 'halfOpen') as number,
    assemblyBytes: assembly.heldBytes,
    readCacheBytes: readCache?.bytes ?? 0,
    knownPeers: torrent.knownPeers.size,
  };
}

describe('chaos peers against a seeder and a leecher', () => {
  it(`${SESSIONS} chaos sessions: no crash, no unhandled rejection, state back to baseline, honest peers complete`, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const torrent = await makeSwarmTorrent([{ name: 'chaos.bin', length: 16 * PIECE }], PIECE, SEED);
      swarm = new Swarm(torrent);
      const s = swarm;
      const seeder = await s.addSeeder();
      await s.clock.runUntil(() => seeder.torrent.complete);
      // The attacked leecher downloads slowly, so it is still leeching (requesting, assembling) through the chaos.
      const victim = await s.addLeecher({}, [seeder]);
      victim.torrent.setRateLimits({ download: 2 * 1024 });
      const errors: string[] = [];
      const reasons = new Map<string, number>();
      for (const peer of [seeder, victim]) {
        peer.torrent.on('error', (e) => errors.push(`${peer.host}: ${e.message}`));
        peer.torrent.on('peer-closed', (e) => {
          if (isChaos(e.address)) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
        });
      }
      const honestEarly = await s.addLeecher({}, [seeder]);

      const { pieceCount, pieceLength, infoHash } = torrent.info;
      const live: ChaosPeer[] = [];
      const totals = new Map<ChaosAction, number>();
      let started = 0;
      let mostSeederPeers = 0;
      let mostAssembly = 0;
      while (started < SESSIONS || live.length > 0) {
        while (started < SESSIONS && live.length < CONCURRENCY) {
          const target = started % 2 === 0 ? seeder : victim;
          const chaos = ChaosPeer.dial(s.network.host(chaosHost(started)), target.host, 6881, {
            seed: SEED * 1_000_003 + started,
            clock: s.clock,
            infoHash,
            pieceCount,
            pieceLength,
            maxPauseMs: 1000,
          });
          live.push(chaos);
          started++;
        }
        await s.clock.advanceAsync(500);
        mostSeederPeers = Math.max(mostSeederPeers, seeder.torrent.peers.size);
        mostAssembly = Math.max(mostAssembly, footprint(victim).assemblyBytes);
        for (let i = live.length - 1; i >= 0; i--) {
          const chaos = live[i]!;
          // A peer that fell silent is left to bitloom's timeouts; one that is done and closed leaves the pool.
          if (chaos.closed) {
            for (const [action, n] of chaos.actions) totals.set(action, (totals.get(action) ?? 0) + n);
            live.splice(i, 1);
          }
        }
      }

      // Every kind of chaos happened, and bitloom closed the chaos peers only for reasons it has.
      for (const action of [
        'valid',
        'invalid',
        'partial',
        'oversized',
        'garbage',
        'trickle',
        'extended',
        'piece',
      ]) {
        expect(totals.get(action as ChaosAction) ?? 0, action).toBeGreaterThan(0);
      }
      for (const reason of reasons.keys()) expect(EXPECTED_REASONS, reason).toContain(reason);
      expect(errors).toEqual([]);
      expect(mostSeederPeers).toBeLessThanOrEqual(seeder.session.settings.maxConnectionsPerTorrent);
      // Chaos peers that unchoke the victim grow its budget, never past the cap.
      expect(mostAssembly).toBeLessThanOrEqual(
        MAX_BUDGET_FACTOR * victim.session.settings.maxPieceBufferBytes,
      );

      // The honest peers complete, the attacked leecher once its limit is lifted.
      await s.clock.runUntil(() => honestEarly.torrent.complete, { maxMs: 60_000 });
      victim.torrent.setRateLimits({ download: 0 });
      await s.clock.runUntil(() => victim.torrent.complete, { maxMs: 120_000 });
      const honestLate = await s.addLeecher({}, [seeder]);
      await s.clock.runUntil(() => honestLate.torrent.complete, { maxMs: 60_000 });
      for (const peer of [honestEarly, victim, honestLate]) {
        expect(sameBytes(s.contents(peer), torrent.payload)).toBe(true);
      }

      // Back to baseline: no chaos connection anywhere, nothing half-open, no piece held for assembly, the read
      // cache and the known-peer list within their bounds.
      for (const peer of [seeder, victim]) {
        const after = footprint(peer);
        expect(after.chaosConnections).toBe(0);
        expect(after.sessionConnections).toBe(peer.torrent.peers.size);
        expect(after.halfOpen).toBe(0);
        expect(after.assemblyBytes).toBe(0);
        expect(after.readCacheBytes).toBeLessThanOrEqual(peer.session.settings.readCacheBytes);
        expect(after.knownPeers).toBeLessThanOrEqual(peer.session.settings.maxKnownPeersPerTorrent);
        expect(s.network.connections(peer.host).filter((c) => isChaos(c.remoteAddress))).toEqual([]);
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 120_000);
});
