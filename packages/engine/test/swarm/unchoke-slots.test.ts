/**
 * A seeder with more interested peers than unchoke slots: when an unchoked peer leaves (a leecher that completed
 * and closed, or one that vanished), its slot goes to a waiting peer at once. Found under load: 100 leechers on
 * one seeder, the first five finished within seconds and the seeder then unchoked nobody until its next choking
 * round, 10 s later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { makeSwarmTorrent, Swarm } from './swarm-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

describe('unchoke slots of a seeder', () => {
  it('a slot freed by an unchoked peer leaving goes to a waiting peer before the next choking round', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent, { latencyMs: 5 });
    const s = swarm;
    // One regular slot and the optimistic one; the choking round every 10 s.
    const seeder = await s.addSeeder({ regularUnchokeSlots: 1, chokeIntervalMs: 10_000 });
    await s.clock.runUntil(() => seeder.torrent.state === 'seeding');
    const peers = Array.from({ length: 6 }, (_, i) =>
      ScriptedPeer.dial(s.network.host(`10.0.1.${i + 1}`), seeder.host, seeder.session.listenPort, {
        infoHash: torrent.info.infoHash,
        clock: s.clock,
        peerId: new TextEncoder().encode(`-XX0001-waiting${String(i).padStart(5, '0')}`),
      }),
    );
    await s.clock.runUntil(() => peers.every((p) => p.handshake !== undefined));
    for (const peer of peers) peer.send({ type: 'interested' });
    const gone = new Set<ScriptedPeer>();
    const unchoked = () => peers.filter((p) => !gone.has(p) && p.count('unchoke') > p.count('choke'));
    await s.clock.runUntil(() => unchoked().length === 2, { maxMs: 1000 });
    // Past the first choking round (at the first tick): the next one is 10 s away.
    await s.clock.advanceAsync(500);
    expect(unchoked().length).toBe(2);

    // Both unchoked peers leave.
    const leaving = unchoked();
    for (const peer of leaving) {
      peer.destroy();
      gone.add(peer);
    }
    const leftAt = s.clock.now();
    await s.clock.runUntil(() => unchoked().length === 2, { maxMs: 10_000 });
    expect(s.clock.now() - leftAt).toBeLessThan(1000);
  });
});
