/**
 * Mainline DHT (BEP 5) interop on loopback: two bitloom `Dht` nodes (in-process, Node platform), a libtorrent
 * node (python3-libtorrent) and an npm `bittorrent-dht` node form one small network. Peers announced by
 * libtorrent and bittorrent-dht are found by bitloom's get_peers, and a peer announced by bitloom is found by
 * libtorrent's and bittorrent-dht's lookups. Everything binds 127.0.0.1; no public bootstrap node is used.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodePlatform, type NodePlatform } from '@bitloom/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dht, type DhtLimits } from '../packages/engine/src/dht/index.js';
import { type DhtChild, type DhtEvent, startLibtorrentDht, startWebtorrentDht } from './harness/dht-peers.js';

const LOCALHOST = '127.0.0.1';
/** Every node shares 127.0.0.1, so the per-IP query limit must allow the whole network's traffic. */
const LOOPBACK_LIMITS: Partial<DhtLimits> = {
  queriesPerSecondPerIp: 5000,
  queryBurstPerIp: 5000,
  queryTimeoutMs: 2000,
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const infoHash = (fill: number) => new Uint8Array(20).map((_, i) => (fill * 31 + i * 7) & 0xff);

async function until<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('DHT interop on loopback: bitloom, libtorrent, bittorrent-dht', () => {
  let platform: NodePlatform;
  let hub: Dht;
  let seeker: Dht;
  let libtorrent: DhtChild;
  let webtorrent: DhtChild;
  let ticker: NodeJS.Timeout | undefined;
  let saveDir: string;

  const startBitloom = async (bootstrap: { host: string; port: number }[]) => {
    const socket = await platform.udp.bind(LOCALHOST, 0);
    const dht = new Dht({ platform, socket, bootstrap, limits: LOOPBACK_LIMITS });
    dht.start();
    return { dht, port: socket.port };
  };

  beforeAll(async () => {
    platform = createNodePlatform({ hashWorkers: 0 });
    saveDir = await mkdtemp(join(tmpdir(), 'bitloom-dht-'));
    const started = await startBitloom([]);
    hub = started.dht;
    const hubAddress = `${LOCALHOST}:${started.port}`;
    libtorrent = await startLibtorrentDht([hubAddress]);
    webtorrent = await startWebtorrentDht([hubAddress]);
    seeker = (
      await startBitloom([
        { host: LOCALHOST, port: started.port },
        { host: LOCALHOST, port: libtorrent.port },
      ])
    ).dht;
    ticker = setInterval(() => {
      const now = platform.clock.now();
      hub.tick(now);
      seeker.tick(now);
    }, 500);
    // The hub has verified libtorrent, bittorrent-dht and the second bitloom node.
    await until(
      'the hub to know three nodes',
      async () => (hub.stats().nodes >= 3 ? true : undefined),
      30_000,
    );
  });

  afterAll(async () => {
    if (ticker !== undefined) clearInterval(ticker);
    await Promise.allSettled([libtorrent?.stop(), webtorrent?.stop(), hub?.stop(), seeker?.stop()]);
    await platform?.close();
    if (saveDir !== undefined) await rm(saveDir, { recursive: true, force: true });
  });

  const bitloomFinds = (dht: Dht, hash: Uint8Array, port: number) =>
    until(
      `bitloom to find 127.0.0.1:${port}`,
      async () => {
        const found: string[] = [];
        await dht.getPeers(hash, (peers) => found.push(...peers.map((peer) => `${peer.host}:${peer.port}`)));
        return found.includes(`${LOCALHOST}:${port}`) ? found : undefined;
      },
      45_000,
    );

  it('bitloom get_peers finds a peer that libtorrent announced', async () => {
    const hash = infoHash(1);
    // libtorrent announces a torrent it has on its own listen port (TCP and DHT share the number).
    libtorrent.send({ cmd: 'add_torrent', info_hash: hex(hash), save_path: saveDir });
    const found = await bitloomFinds(seeker, hash, libtorrent.port);
    expect(found).toContain(`127.0.0.1:${libtorrent.port}`);
  });

  it('bitloom get_peers finds a peer that bittorrent-dht announced', async () => {
    const hash = infoHash(2);
    webtorrent.send({ cmd: 'announce', info_hash: hex(hash), port: 40002 });
    await webtorrent.waitFor((e) => e.event === 'announced' && e.info_hash === hex(hash), 30_000, 'announce');
    const found = await bitloomFinds(seeker, hash, 40002);
    expect(found).toContain('127.0.0.1:40002');
  });

  it('libtorrent and bittorrent-dht find a peer that bitloom announced', async () => {
    const hash = infoHash(3);
    const announced = await seeker.announce(hash, 40003);
    expect(announced.announcedTo).toBeGreaterThanOrEqual(2);

    const hasPeer = (event: DhtEvent) =>
      event.event === 'peers' &&
      event.info_hash === hex(hash) &&
      (event.peers as [string, number][]).some(([ip, port]) => ip === LOCALHOST && port === 40003);
    await until(
      'libtorrent to find the bitloom peer',
      async () => {
        libtorrent.send({ cmd: 'get_peers', info_hash: hex(hash) });
        return libtorrent.waitFor(hasPeer, 3000, 'peers').catch(() => undefined);
      },
      45_000,
    );

    webtorrent.send({ cmd: 'lookup', info_hash: hex(hash) });
    const peer = await webtorrent.waitFor(
      (e) => e.event === 'peer' && e.info_hash === hex(hash) && e.port === 40003,
      30_000,
      'peer 40003',
    );
    expect(peer.host).toBe(LOCALHOST);
  });
});
