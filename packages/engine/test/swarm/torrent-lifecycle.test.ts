/**
 * The library calls around a torrent's life, on the virtual clock and in-memory network: pause and resume
 * (peers dropped and refused, `stopped` then `started` to the tracker, nothing fetched while paused), the peer list
 * as plain data, `session.add` from bytes, a magnet URI or a path, and `removeTorrent` with and without its data.
 */
import { bdict, encode, Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform, MemoryHttpClient, type TestPlatform } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, sameBytes } from './swarm-fixture.js';

const TRACKER = 'http://tracker.test/announce';
const LEECHER_HOST = '10.0.0.50';

let swarm: Swarm | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  await swarm?.closeAll();
  swarm = undefined;
});

/** A tracker that records each announce's event and names no peers. */
function recordingTracker(events: string[]): MemoryHttpClient {
  const http = new MemoryHttpClient();
  http.route(TRACKER, (url) => {
    events.push(/[?&]event=(\w+)/.exec(url)?.[1] ?? 'none');
    return { status: 200, headers: {}, body: encode(bdict({ interval: 1800, peers: new Uint8Array(0) })) };
  });
  return http;
}

async function leecherSession(
  platform: TestPlatform,
  options: { readTorrentFile?: (p: string) => Promise<Uint8Array> } = {},
) {
  const session = await Session.create({
    platform,
    listen: { host: platform.host.address, port: 6881 },
    settings: testingSettings(),
    ...options,
  });
  sessions.push(session);
  return session;
}

describe('torrent lifecycle through the library API', () => {
  it('pause drops peers, says stopped, refuses peers and fetches nothing; resume says started and completes', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 2 * 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 512 * 1024 });
    const seeder = await swarm.addSeeder();
    const events: string[] = [];
    const platform = createTestPlatform({
      seed: 3,
      host: LEECHER_HOST,
      network: swarm.network,
      http: recordingTracker(events),
    });
    const session = await leecherSession(platform);
    const leecher = session.addTorrent(torrent.info, {
      savePath: '/data',
      trackers: [[TRACKER]],
      peers: [{ host: seeder.host, port: 6881 }],
    });
    const states: string[] = [];
    leecher.on('state', ({ state }) => states.push(state));
    await swarm.clock.runUntil(() => leecher.status().piecesHad >= 4);

    await leecher.pause();
    expect(leecher.status()).toMatchObject({ state: 'paused', peersConnected: 0 });
    expect(events).toEqual(['started', 'stopped']);
    const had = leecher.status().piecesHad;
    // The seeder dials the paused leecher: refused; a minute passes and nothing arrives.
    seeder.torrent.addPeer(LEECHER_HOST, 6881);
    await swarm.clock.advanceAsync(60_000);
    expect(leecher.status()).toMatchObject({ state: 'paused', peersConnected: 0, piecesHad: had });
    expect(events).toEqual(['started', 'stopped']);

    const connected: string[] = [];
    leecher.on('peer-connected', ({ address }) => connected.push(address));
    leecher.resume();
    await swarm.clock.runUntil(() => leecher.complete, { maxMs: 120_000 });
    expect(connected).toEqual([`${seeder.host}:6881`]);
    expect(events.slice(0, 3)).toEqual(['started', 'stopped', 'started']);
    expect(states).toEqual(['checking', 'downloading', 'paused', 'downloading', 'seeding']);
    expect(sameBytes(swarm.contents({ platform } as never), torrent.payload)).toBe(true);
  });

  it('paused while checking, it stays paused after the check', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'c.bin', length: 256 * 1024 }], 16 * 1024);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    void seeder.torrent.pause();
    await swarm.clock.runUntil(
      () => seeder.torrent.state !== 'checking' && seeder.torrent.state !== 'stopped',
    );
    expect(seeder.torrent.state).toBe('paused');
    expect(seeder.torrent.complete).toBe(true);
  });

  it('lists connected peers as plain data', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'i.bin', length: 1024 * 1024 }], 64 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 256 * 1024 });
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => leecher.torrent.status().piecesHad >= 2);
    const [peer, ...others] = leecher.torrent.peerInfo();
    expect(others).toEqual([]);
    expect(peer).toMatchObject({
      address: `${seeder.host}:6881`,
      client: 'bitloom 0.1.0',
      outgoing: true,
      progress: 1,
      amInterested: true,
      peerChoking: false,
      fastExtension: true,
      extensionProtocol: true,
    });
    expect(peer!.downloadRate).toBeGreaterThan(0);
    expect(peer!.peerId).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.parse(JSON.stringify(peer))).toEqual(peer);
  });

  it('adds from .torrent bytes, a magnet URI and a path in one call; a path needs a file reader', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'a.bin', length: 300_000 }], 32 * 1024);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 4, host: LEECHER_HOST, network: swarm.network });
    const reads: string[] = [];
    const session = await leecherSession(platform, {
      readTorrentFile: async (path) => {
        reads.push(path);
        return torrent.bytes;
      },
    });
    const peers = [{ host: seeder.host, port: 6881 }];

    const fromBytes = await session.add(torrent.bytes, { savePath: '/bytes', peers });
    await swarm.clock.runUntil(() => fromBytes.complete);
    await session.removeTorrent(torrent.info.infoHashHex);

    const magnet = `magnet:?xt=urn:btih:${torrent.info.infoHashHex}&x.pe=${seeder.host}:6881`;
    const adding = session.add(magnet, { savePath: '/magnet' });
    await swarm.clock.runUntil(() => session.torrents.size === 1);
    const fromMagnet = await adding;
    await swarm.clock.runUntil(() => fromMagnet.complete);
    await session.removeTorrent(torrent.info.infoHashHex);

    const fromPath = await session.add('/torrents/a.torrent', { savePath: '/path', peers });
    expect(reads).toEqual(['/torrents/a.torrent']);
    await swarm.clock.runUntil(() => fromPath.complete);

    const bare = await leecherSession(
      createTestPlatform({ seed: 5, host: '10.0.0.51', network: swarm.network }),
    );
    await expect(bare.add('/torrents/a.torrent', { savePath: '/x' })).rejects.toMatchObject({
      code: 'SESSION_BAD_SOURCE',
    });
    await expect(bare.add(new Uint8Array([1, 2, 3]), { savePath: '/x' })).rejects.toMatchObject({
      code: expect.stringMatching(/^METAINFO_|^BENCODE_/),
    });
  });

  it('a magnet link still fetching when it is removed or the session closes: add() rejects instead of hanging', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'a.bin', length: 100_000 }], 32 * 1024);
    swarm = new Swarm(torrent);
    const session = await leecherSession(
      createTestPlatform({ seed: 6, host: LEECHER_HOST, network: swarm.network }),
    );
    // Nobody has the metadata: the fetch can only end by being stopped.
    const magnet = `magnet:?xt=urn:btih:${torrent.info.infoHashHex}`;
    const removed = session.add(magnet, { savePath: '/m' });
    await swarm.clock.runUntil(() => session.fetches.size === 1);
    await session.removeTorrent(torrent.info.infoHashHex);
    await expect(removed).rejects.toMatchObject({ code: 'SESSION_FETCH_STOPPED' });

    const closed = session.add(magnet, { savePath: '/m' });
    await swarm.clock.runUntil(() => session.fetches.size === 1);
    await session.close();
    await expect(closed).rejects.toMatchObject({ code: 'SESSION_FETCH_STOPPED' });
  });

  it('removeTorrent keeps the data by default; with deleteData it deletes the files and part file only', async () => {
    const files = [
      { name: 'a.bin', length: 40_000 },
      { name: 'b.bin', length: 40_000 },
      { name: 'c.bin', length: 40_000 },
    ];
    const torrent = await makeSwarmTorrent(files, 16 * 1024, 9);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder], { selectOnly: [{ start: 0, end: 1 }] });
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    // Someone else's file inside the torrent's folder, and one next to it.
    const theirs = await leecher.platform.storage.open('/data', [
      { path: ['swarm', 'notes.txt'], length: 2 },
      { path: ['other.bin'], length: 2 },
    ]);
    await theirs.write(0, 0, new Uint8Array([1, 2]));
    await theirs.write(1, 0, new Uint8Array([3, 4]));
    await theirs.close();
    const stored = () => [...leecher.platform.storage.files().keys()].sort();
    expect(stored()).toEqual([
      `/data/.${torrent.info.infoHashHex}.parts`,
      '/data/other.bin',
      '/data/swarm/a.bin',
      '/data/swarm/b.bin',
      '/data/swarm/notes.txt',
    ]);

    await leecher.session.removeTorrent(torrent.info.infoHashHex, { deleteData: true });
    expect(leecher.session.torrents.size).toBe(0);
    expect(stored()).toEqual(['/data/other.bin', '/data/swarm/notes.txt']);

    await seeder.session.removeTorrent(torrent.info.infoHashHex);
    expect(seeder.platform.storage.files().size).toBe(3);
  });
});
