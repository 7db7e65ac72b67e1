import { testHasher } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { ALLOWED_FAST_SET_SIZE, allowedFastSet } from '../../src/extensions/allowed-fast.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { makeSwarmTorrent, Swarm } from '../swarm/swarm-fixture.js';

describe('BEP 6 Fast extension against a bitloom seeder', () => {
  it('sends HAVE ALL and the canonical ALLOWED FAST set, and serves those pieces while the peer is choked', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'f.bin', length: 64 * 16 * 1024 }], 16 * 1024);
    const swarm = new Swarm(torrent);
    try {
      const seeder = await swarm.addSeeder({ regularUnchokeSlots: 0 });
      await swarm.clock.runUntil(() => seeder.torrent.complete);
      const host = swarm.network.host('10.0.0.50');
      const peer = ScriptedPeer.dial(host, seeder.host, 6881, {
        infoHash: torrent.info.infoHash,
        fast: true,
        clock: swarm.clock,
      });
      await swarm.clock.runUntil(() => peer.count('allowed-fast') === ALLOWED_FAST_SET_SIZE);
      expect(peer.received[0]).toEqual({ type: 'have-all' });
      const expected = await allowedFastSet(
        testHasher,
        '10.0.0.50',
        torrent.info.infoHash,
        torrent.info.pieceCount,
      );
      const offered = peer.received.flatMap((m) => (m.type === 'allowed-fast' ? [m.piece] : []));
      expect(offered).toEqual(expected);
      // Still choked (no regular slots, and we never said we were interested): allowed-fast pieces are served…
      peer.send({ type: 'request', piece: offered[0]!, begin: 0, length: 16 * 1024 });
      // …and any other piece is rejected.
      const other = [...Array(torrent.info.pieceCount).keys()].find((p) => !offered.includes(p))!;
      peer.send({ type: 'request', piece: other, begin: 0, length: 16 * 1024 });
      await swarm.clock.runUntil(() => peer.count('piece') === 1 && peer.count('reject-request') === 1);
      expect(peer.received.find((m) => m.type === 'piece')).toMatchObject({ piece: offered[0], begin: 0 });
      expect(peer.received.find((m) => m.type === 'reject-request')).toMatchObject({ piece: other });
      expect(peer.count('unchoke')).toBe(0);
    } finally {
      await swarm.closeAll();
    }
  });
});
