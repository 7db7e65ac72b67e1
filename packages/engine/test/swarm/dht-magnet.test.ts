import { Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, sameBytes } from './swarm-fixture.js';

const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

describe('trackerless magnet links through the DHT (BEP 5) on the virtual network', () => {
  it('a leecher with only the info-hash finds the seeder through the DHT and downloads', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'd.bin', length: 512 * 1024 }], 64 * 1024);
    const swarm = new Swarm(torrent);
    const start = async (host: string, bootstrap: { host: string; port: number }[]) => {
      const platform = createTestPlatform({
        seed: host.length * 31 + Number(host.split('.')[3]),
        host,
        network: swarm.network,
      });
      const session = await Session.create({
        platform,
        listen: { host, port: 6881 },
        settings: testingSettings(),
        dht: { bootstrap },
      });
      sessions.push(session);
      return { platform, session };
    };
    // A bootstrap node (a session with a DHT and no torrents), a seeder and a leecher that know only it.
    const router = await start('10.0.1.1', []);
    const seed = await start('10.0.1.2', [{ host: '10.0.1.1', port: 6881 }]);
    const files = await seed.platform.storage.open(
      '/data',
      torrent.info.files.map((f) => ({ path: f.path, length: f.length })),
    );
    await files.write(0, 0, torrent.payload);
    const seeding = seed.session.addTorrent(torrent.info, { savePath: '/data' });
    await swarm.clock.runUntil(() => seeding.complete);
    // Give the seeder time to announce itself to the DHT.
    await swarm.clock.runUntil(() => (router.session.dht?.stats().storedPeers ?? 0) > 0, { maxMs: 120_000 });

    const leech = await start('10.0.1.3', [{ host: '10.0.1.1', port: 6881 }]);
    leech.session.addMagnet(
      { infoHash: torrent.info.infoHash, trackers: [], webSeeds: [], peers: [] },
      { savePath: '/dl' },
    );
    await swarm.clock.runUntil(
      () => leech.session.torrents.get(torrent.info.infoHashHex)?.complete === true,
      {
        maxMs: 300_000,
      },
    );
    const got = leech.platform.storage.files().get('/dl/d.bin')!;
    expect(sameBytes(got, torrent.payload)).toBe(true);
    // Nothing else could have told it where the seeder was: no tracker, no x.pe, no --peer.
    expect(leech.session.dht!.stats().nodes).toBeGreaterThan(0);
  });

  it('a private torrent is never announced to the DHT', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 64 * 1024 }], 16 * 1024);
    const swarm = new Swarm(torrent);
    const routerPlatform = createTestPlatform({ seed: 1, host: '10.0.2.1', network: swarm.network });
    const router = await Session.create({
      platform: routerPlatform,
      listen: { host: '10.0.2.1', port: 6881 },
      settings: testingSettings(),
      dht: { bootstrap: [] },
    });
    sessions.push(router);
    const platform = createTestPlatform({ seed: 2, host: '10.0.2.2', network: swarm.network });
    const session = await Session.create({
      platform,
      listen: { host: '10.0.2.2', port: 6881 },
      settings: testingSettings(),
      dht: { bootstrap: [{ host: '10.0.2.1', port: 6881 }] },
    });
    sessions.push(session);
    session.addTorrent({ ...torrent.info, private: true }, { savePath: '/x' });
    await swarm.clock.advanceAsync(60_000);
    expect(router.dht?.stats().storedPeers ?? 0).toBe(0);
    expect(session.dht?.stats().nodes ?? 0).toBeGreaterThan(0);
  });
});
