import { describe, expect, it } from 'vitest';
import { bdict, encode } from '../../src/bencode/index.js';
import { decodePex, encodePex, PEX_MAX_ENTRIES } from '../../src/extensions/ut-pex.js';
import { makeSwarmTorrent, Swarm } from '../swarm/swarm-fixture.js';

describe('PEX messages (BEP 11)', () => {
  it('round trips IPv4 and IPv6 added peers with flags', () => {
    const bytes = encodePex(
      [
        { host: '10.0.0.1', port: 6881, seed: true, reachable: true },
        { host: '2001:db8::7', port: 51413, seed: false, reachable: false },
      ],
      [{ host: '10.0.0.9', port: 1, seed: false, reachable: false }],
    );
    expect(decodePex(bytes)).toEqual([
      { host: '10.0.0.1', port: 6881 },
      { host: '2001:db8::7', port: 51413 },
    ]);
  });

  it('hostile: lists that are not whole entries are ignored, port 0 dropped, at most 50 taken', () => {
    expect(decodePex(encode(bdict({ added: new Uint8Array(7) })))).toEqual([]);
    const portZero = new Uint8Array([1, 2, 3, 4, 0, 0, 1, 2, 3, 5, 0, 1]);
    expect(decodePex(encode(bdict({ added: portZero })))).toEqual([{ host: '1.2.3.5', port: 1 }]);
    const many = new Uint8Array(6 * 200);
    for (let i = 0; i < 200; i++) many.set([10, 0, i >> 8, i & 0xff, 0, 80], i * 6);
    expect(decodePex(encode(bdict({ added: many }))).length).toBeLessThanOrEqual(PEX_MAX_ENTRIES);
    expect(decodePex(new TextEncoder().encode('not bencode'))).toEqual([]);
    expect(decodePex(encode(42))).toEqual([]);
  });
});

describe('PEX in a swarm', () => {
  it('a leecher that knows only one peer learns the seeders through PEX and downloads from them', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 2 * 1024 * 1024 }], 128 * 1024);
    // Slow links: the go-between is still downloading when the leecher meets it, so nobody is done early.
    const swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 64 * 1024 });
    try {
      const seederA = await swarm.addSeeder();
      const seederB = await swarm.addSeeder();
      // A go-between that is connected to both seeders but has nothing yet (it downloads slowly from them).
      const middle = await swarm.addLeecher({}, [seederA, seederB]);
      await swarm.clock.runUntil(() => middle.torrent.peers.size === 2);
      const leecher = await swarm.addLeecher({}, [middle]);
      const connected: string[] = [];
      leecher.torrent.on('peer-connected', (e) => connected.push(e.address));
      const viaPex = () =>
        [seederA.host, seederB.host].filter((h) => leecher.torrent.knownPeers.get(h, 6881)?.source === 'pex');
      await swarm.clock.runUntil(() => viaPex().length === 2, { maxMs: 120_000 });
      await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 300_000 });
      // Connected to both seeders (either side may have dialled: the seeders heard of the leecher through PEX too).
      const hosts = connected.map((address) => address.slice(0, address.lastIndexOf(':')));
      expect(hosts).toEqual(expect.arrayContaining([seederA.host, seederB.host]));
    } finally {
      await swarm.closeAll();
    }
  });

  it('a private torrent never speaks PEX', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 256 * 1024 }], 64 * 1024);
    const privateInfo = { ...torrent.info, private: true };
    const swarm = new Swarm({ ...torrent, info: privateInfo });
    try {
      const seeder = await swarm.addSeeder();
      const leecher = await swarm.addLeecher({}, [seeder]);
      await swarm.clock.runUntil(() => leecher.torrent.complete);
      const peer = [...leecher.torrent.peers.values()][0];
      expect(peer?.peerExtensions.has('ut_pex') ?? false).toBe(false);
    } finally {
      await swarm.closeAll();
    }
  });
});
