import { formatMagnet, parseMagnet, Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, sameBytes } from './swarm-fixture.js';

let swarm: Swarm | undefined;
const extra: Session[] = [];
afterEach(async () => {
  for (const s of extra.splice(0)) await s.close();
  await swarm?.closeAll();
  swarm = undefined;
});

describe('magnet links: metadata exchange (BEP 9) on the virtual network', () => {
  it('a leecher with only a magnet link fetches the info dictionary from two seeders, then downloads it all', async () => {
    // A multi-file torrent whose info dictionary spans several 16 KiB metadata pieces.
    const files = Array.from({ length: 1200 }, (_, i) => ({
      name: `file-${String(i).padStart(4, '0')}.bin`,
      length: 700 + i,
    }));
    const torrent = await makeSwarmTorrent(files, 16 * 1024);
    expect(torrent.info.infoBytes.length).toBeGreaterThan(2 * 16 * 1024);
    swarm = new Swarm(torrent);
    const seederA = await swarm.addSeeder();
    const seederB = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seederA.torrent.complete && seederB.torrent.complete);

    const platform = createTestPlatform({ seed: 99, host: '10.0.0.77', network: swarm.network });
    const session = await Session.create({
      platform,
      listen: { host: '10.0.0.77', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(session);
    const link = parseMagnet(
      formatMagnet({
        infoHash: torrent.info.infoHash,
        displayName: 'swarm',
        trackers: [],
        webSeeds: [],
        peers: [
          { host: seederA.host, port: 6881 },
          { host: seederB.host, port: 6881 },
        ],
      }),
    );
    const fetch = session.addMagnet(link, { savePath: '/magnet' });
    const progress: number[] = [];
    fetch.on('progress', (p) => progress.push(p.received));
    await swarm.clock.runUntil(() => session.torrents.has(torrent.info.infoHashHex), { maxMs: 60_000 });
    const leech = session.torrents.get(torrent.info.infoHashHex)!;
    expect(leech.info.infoBytes).toEqual(torrent.info.infoBytes);
    expect(Math.max(...progress)).toBeGreaterThan(1);
    await swarm.clock.runUntil(() => leech.complete, { maxMs: 300_000 });
    const stored = platform.storage.files();
    const out = new Uint8Array(torrent.info.totalLength);
    for (const file of torrent.info.files)
      out.set(stored.get(['/magnet', ...file.path].join('/'))!, file.offset);
    expect(sameBytes(out, torrent.payload)).toBe(true);
  });

  it('a peer that serves metadata which does not match the info-hash is not trusted; the honest one completes it', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'one.bin', length: 300_000 }], 16 * 1024);
    const other = await makeSwarmTorrent([{ name: 'one.bin', length: 300_000 }], 16 * 1024, 8);
    swarm = new Swarm(torrent);
    const honest = await swarm.addSeeder();
    // A liar: a seeder of another torrent that answers under our info-hash. Build it by hand on the network.
    const liarPlatform = createTestPlatform({ seed: 5, host: '10.0.0.66', network: swarm.network });
    const liar = await Session.create({
      platform: liarPlatform,
      listen: { host: '10.0.0.66', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(liar);
    // Same size info dictionary, different content, registered under the real info-hash.
    liar.addTorrent(
      { ...other.info, infoHash: torrent.info.infoHash, infoHashHex: torrent.info.infoHashHex },
      { savePath: '/liar' },
    );
    await swarm.clock.runUntil(() => honest.torrent.complete);

    const platform = createTestPlatform({ seed: 98, host: '10.0.0.78', network: swarm.network });
    const session = await Session.create({
      platform,
      listen: { host: '10.0.0.78', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(session);
    session.addMagnet(
      {
        infoHash: torrent.info.infoHash,
        trackers: [],
        webSeeds: [],
        peers: [
          { host: '10.0.0.66', port: 6881 },
          { host: honest.host, port: 6881 },
        ],
      },
      { savePath: '/magnet' },
    );
    await swarm.clock.runUntil(() => session.torrents.has(torrent.info.infoHashHex), { maxMs: 120_000 });
    expect(session.torrents.get(torrent.info.infoHashHex)!.info.infoBytes).toEqual(torrent.info.infoBytes);
  });

  it('magnet so= (BEP 53) downloads only the selected files once the metadata arrives', async () => {
    const files = [
      { name: 'a.bin', length: 200_000 },
      { name: 'b.bin', length: 150_000 },
      { name: 'c.bin', length: 200_000 },
    ];
    const torrent = await makeSwarmTorrent(files, 16 * 1024);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    const platform = createTestPlatform({ seed: 97, host: '10.0.0.79', network: swarm.network });
    const session = await Session.create({
      platform,
      listen: { host: '10.0.0.79', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(session);
    session.addMagnet(
      {
        infoHash: torrent.info.infoHash,
        trackers: [],
        webSeeds: [],
        peers: [{ host: seeder.host, port: 6881 }],
        selectOnly: [{ start: 1, end: 1 }],
      },
      { savePath: '/so' },
    );
    await swarm.clock.runUntil(() => session.torrents.get(torrent.info.infoHashHex)?.complete === true, {
      maxMs: 120_000,
    });
    const leech = session.torrents.get(torrent.info.infoHashHex)!;
    const b = torrent.info.files[1]!;
    expect(
      sameBytes(
        platform.storage.files().get(['/so', ...b.path].join('/'))!,
        torrent.payload.subarray(b.offset, b.offset + b.length),
      ),
    ).toBe(true);
    // Only the pieces holding b.bin were fetched: far less than the whole torrent.
    const bPieces = Math.floor((b.offset + b.length - 1) / 16384) - Math.floor(b.offset / 16384) + 1;
    expect(leech.status().piecesHad).toBe(bPieces);
    expect(leech.status().downloadedBytes).toBeLessThanOrEqual(bPieces * 16384);
  });

  it('a liar that announces a wrong metadata size first cannot stall the fetch: the honest size is taken up', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'one.bin', length: 300_000 }], 16 * 1024);
    // A different torrent with many files: a much larger info dictionary, served under our info-hash.
    const other = await makeSwarmTorrent(
      Array.from({ length: 600 }, (_, i) => ({ name: `f${i}.bin`, length: 500 })),
      16 * 1024,
      9,
    );
    expect(other.info.infoBytes.length).not.toBe(torrent.info.infoBytes.length);
    swarm = new Swarm(torrent, { latencyMs: 1 });
    const honest = await swarm.addSeeder();
    const liarPlatform = createTestPlatform({ seed: 6, host: '10.0.0.65', network: swarm.network });
    const liar = await Session.create({
      platform: liarPlatform,
      listen: { host: '10.0.0.65', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(liar);
    liar.addTorrent(
      { ...other.info, infoHash: torrent.info.infoHash, infoHashHex: torrent.info.infoHashHex },
      { savePath: '/liar' },
    );
    await swarm.clock.runUntil(() => honest.torrent.complete);
    const platform = createTestPlatform({ seed: 96, host: '10.0.0.80', network: swarm.network });
    const session = await Session.create({
      platform,
      listen: { host: '10.0.0.80', port: 6881 },
      settings: testingSettings(),
    });
    extra.push(session);
    const fetch = session.addMagnet(
      {
        infoHash: torrent.info.infoHash,
        trackers: [],
        webSeeds: [],
        peers: [{ host: '10.0.0.65', port: 6881 }],
      },
      { savePath: '/m2' },
    );
    // The liar's size is taken first (it is the only peer); then the honest seeder joins.
    await swarm.clock.runUntil(() => fetch.progress().total > 0);
    fetch.addPeer(honest.host, 6881);
    await swarm.clock.runUntil(() => session.torrents.has(torrent.info.infoHashHex), { maxMs: 120_000 });
    expect(session.torrents.get(torrent.info.infoHashHex)!.info.infoBytes).toEqual(torrent.info.infoBytes);
  });
});
