/**
 * Peers vanishing in the middle of a piece, three ways: a TCP reset, an orderly close (FIN) after which the peer
 * is gone, and a black hole (the cable pulled: nothing arrives, nothing fails). From a leecher's side the blocks it
 * had asked the vanished seeder for must go to another peer, at once for a reset or close and at the request
 * timeout for a black hole; from a seeder's side the vanished leecher's connection must go (at once, or at the
 * inactivity timeout) while the other leecher is served to the end. Nothing may stay stuck.
 */
import type { PeerConnection, Torrent } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

const MiB = 1024 * 1024;
/** testingSettings() keeps the defaults for these: 20 s request timeout, 120 s inactivity timeout. */
const REQUEST_TIMEOUT_MS = 20_000;
const INACTIVITY_TIMEOUT_MS = 120_000;

type Vanishing = 'reset' | 'close' | 'black hole';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

async function vanish(s: Swarm, peer: SwarmPeer, how: Vanishing): Promise<void> {
  if (how === 'reset') {
    s.network.resetConnections(peer.host);
    await peer.session.close();
  } else if (how === 'close') {
    await peer.session.close();
  } else {
    s.network.dropHost(peer.host);
  }
}

function connectionTo(torrent: Torrent, host: string): PeerConnection | undefined {
  return [...torrent.peers.values()].find((p) => p.remoteAddress === host);
}

/** Blocks of unfinished pieces that the picker still counts as requested from `peerKey`. */
function blocksRequestedFrom(torrent: Torrent, peerKey: number): number {
  let count = 0;
  for (const piece of torrent.picker.partialPieces()) {
    for (let block = 0; block < torrent.picker.blocksInPiece(piece); block++) {
      if (torrent.picker.blockRequesters(piece, block).includes(peerKey)) count++;
    }
  }
  return count;
}

describe.each<Vanishing>(['reset', 'close', 'black hole'])('a peer vanishing mid-piece: %s', (how) => {
  it('leecher: the blocks asked of the vanished seeder go to the other seeder, and it completes', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 8 * MiB }], MiB);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: MiB, latencyMs: 5 });
    const s = swarm;
    const leaving = await s.addSeeder();
    const staying = await s.addSeeder();
    const leecher = await s.addLeecher({}, [leaving, staying]);
    await s.clock.runUntil(() => {
      const peer = connectionTo(leecher.torrent, leaving.host);
      return leecher.torrent.status().downloadedBytes > 1.5 * MiB && (peer?.outstanding.size ?? 0) > 0;
    });
    const gone = connectionTo(leecher.torrent, leaving.host)!;
    expect(blocksRequestedFrom(leecher.torrent, gone.key)).toBeGreaterThan(0);
    expect(leecher.torrent.picker.partialPieces().length).toBeGreaterThan(0);
    await vanish(s, leaving, how);

    if (how === 'black hole') {
      // Nothing tells the leecher: by the request timeout at the latest (sooner when endgame duplicates them to
      // the other seeder) the blocks are asked elsewhere.
      await s.clock.runUntil(() => blocksRequestedFrom(leecher.torrent, gone.key) === 0, {
        maxMs: REQUEST_TIMEOUT_MS + 1000,
      });
    } else {
      await s.clock.runUntil(() => gone.isClosed, { maxMs: 100 });
      expect(blocksRequestedFrom(leecher.torrent, gone.key)).toBe(0);
      expect(connectionTo(leecher.torrent, leaving.host)).toBeUndefined();
    }
    await s.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
    expect(leecher.torrent.status().hashFailures).toBe(0);
    // Complete: it has closed both seeders (the black-holed one too, as not useful) and holds no requests.
    await s.clock.runUntil(() => leecher.torrent.connectionCount === 0, { maxMs: 1000 });
    expect(gone.isClosed).toBe(true);
  });

  it('seeder: the vanished leecher is dropped and the other leecher is served to the end', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 8 * MiB }], MiB);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: MiB, latencyMs: 5 });
    const s = swarm;
    const seeder = await s.addSeeder();
    await s.clock.runUntil(() => seeder.torrent.state === 'seeding');
    const leaving = await s.addLeecher({}, [seeder]);
    const staying = await s.addLeecher({}, [seeder]);
    const closes: string[] = [];
    seeder.torrent.on('peer-closed', (e) => closes.push(`${e.address.split(':')[0]} ${e.reason}`));
    await s.clock.runUntil(() => {
      const peer = connectionTo(seeder.torrent, leaving.host);
      return leaving.torrent.status().downloadedBytes > 1.5 * MiB && (peer?.incomingRequestCount ?? 0) > 0;
    });
    const vanishedAt = s.clock.now();
    await vanish(s, leaving, how);

    await s.clock.runUntil(() => staying.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(s.contents(staying), torrent.payload)).toBe(true);
    await s.clock.runUntil(() => connectionTo(seeder.torrent, leaving.host) === undefined, {
      maxMs: INACTIVITY_TIMEOUT_MS + 1000,
    });
    const dropped = closes.find((c) => c.startsWith(`${leaving.host} `));
    if (how === 'black hole') {
      expect(dropped).toBe(`${leaving.host} inactive`);
      expect(s.clock.now() - vanishedAt).toBeGreaterThanOrEqual(INACTIVITY_TIMEOUT_MS - 2000);
    } else {
      expect(dropped).toBe(`${leaving.host} remote-closed`);
      expect(s.clock.now() - vanishedAt).toBeLessThan(REQUEST_TIMEOUT_MS);
    }
    // Both leechers are gone (the other one left once complete): nothing is held open on the seeder.
    await s.clock.runUntil(() => seeder.torrent.connectionCount === 0, { maxMs: 1000 });
  });
});
