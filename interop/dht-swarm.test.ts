/**
 * Trackerless swarms through the Mainline DHT (BEP 5) end to end on loopback, with bitloom's session and CLI:
 * a magnet link that names no tracker and no peer (`magnet:?xt=urn:btih:HEX`) is all the downloader gets.
 * One small DHT network per test: a libtorrent node as the bootstrap, every client bootstrapping from it only.
 * - `bitloom download <magnet> --dht-bootstrap …` (the CLI binary) finds a libtorrent seeder through the DHT,
 *   fetches the info dictionary from it (BEP 9) and downloads the data; the same in-process through
 *   `Session.addMagnet` with the session's DHT on.
 * - libtorrent, given only the magnet link, finds a `bitloom seed --dht-bootstrap …` seeder through the DHT.
 * Every libtorrent node has its loopback restrictions off and binds 127.0.0.1; no public router is used.
 * A test starts the downloader only once the bootstrap node reports the seeder's announce_peer, so the
 * downloader's first lookup (the next is minutes later) already finds it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMagnet, parseMagnet, type Session, type Torrent, type TorrentStatus } from '@bitloom/engine';
import { createSession } from '@bitloom/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTorrentFile } from './harness/bitloom.js';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { type DhtChild, type DhtEvent, startLibtorrentDht } from './harness/dht-peers.js';
import { differingFiles, type Fixture, makeFixtures } from './harness/payloads.js';

const LOCALHOST = '127.0.0.1';
/** How long the bootstrap node may take to hear a seeder's announce_peer. */
const ANNOUNCE_TIMEOUT_MS = 20_000;
const TRANSFER_TIMEOUT_MS = 30_000;

let work: string;
let single: Fixture;
let multi: Fixture;
/** The DHT node everyone bootstraps from. */
let bootstrap: DhtChild;
const running: { stop(): Promise<void> }[] = [];
let buildOutput = '';

function bitloomCommand(args: string[]): JsonLineChild {
  const child = spawnBitloom(args);
  running.push(child);
  return child;
}

async function dhtNode(): Promise<DhtChild> {
  const node = await startLibtorrentDht([`${LOCALHOST}:${bootstrap.port}`]);
  running.push(node);
  return node;
}

/** The bare magnet link: the info-hash and nothing else (no `tr`, no `x.pe`, no name). */
async function bareMagnet(fixture: Fixture): Promise<{ uri: string; infoHash: string }> {
  const metainfo = await readTorrentFile(fixture.torrentFile);
  const uri = formatMagnet({ infoHash: metainfo.infoHash, trackers: [], webSeeds: [], peers: [] });
  return { uri, infoHash: metainfo.infoHashHex };
}

/** Waits until the bootstrap node has been sent announce_peer for `infoHash` naming TCP port `port`. */
function announcedToBootstrap(infoHash: string, port: number): Promise<DhtEvent> {
  return bootstrap.waitFor(
    (event) => event.event === 'announce_in' && event.info_hash === infoHash && event.port === port,
    ANNOUNCE_TIMEOUT_MS,
    `announce_peer for ${infoHash} port ${port}`,
  );
}

/** A libtorrent node seeding `fixture` from its data folder (seed_mode), announced to the DHT. */
async function startLibtorrentDhtSeeder(fixture: Fixture, infoHash: string): Promise<DhtChild> {
  const seeder = await dhtNode();
  seeder.send({
    cmd: 'add_torrent',
    torrent_file: fixture.torrentFile,
    save_path: fixture.dataDir,
    seed_mode: true,
  });
  await announcedToBootstrap(infoHash, seeder.port);
  return seeder;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-dht-swarm-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, [256 * 1024]),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  [single, multi] = fixtures as [Fixture, Fixture];
}, 120_000);

// A fresh network per test: nodes of an earlier test, stopped, would linger in routing tables and slow lookups.
beforeEach(async () => {
  bootstrap = await startLibtorrentDht([]);
  running.push(bootstrap);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('trackerless magnet links through the DHT', () => {
  it('bitloom download (CLI) finds a libtorrent seeder through the DHT and downloads it', async () => {
    const { uri, infoHash } = await bareMagnet(multi);
    const seeder = await startLibtorrentDhtSeeder(multi, infoHash);
    const dir = join(work, 'cli-download');
    const download = bitloomCommand([
      'download',
      uri,
      '-o',
      dir,
      '--listen',
      LOCALHOST,
      '--dht-bootstrap',
      `${LOCALHOST}:${bootstrap.port}`,
      '--quiet',
    ]);
    const status = await download.waitForExit(TRANSFER_TIMEOUT_MS);
    await download.stdoutClosed;
    if (status !== 0) {
      throw download.failure(
        `exited with ${status}\n--- seeder stderr ---\n${seeder.stderr.slice(-2000)}\n${buildOutput}`,
      );
    }
    expect(download.rawLines).toEqual([]);
    expect(await differingFiles(multi, dir)).toEqual([]);
  }, 60_000);

  it('a bitloom session (in-process, DHT on) finds a libtorrent seeder from the bare magnet link', async () => {
    const { uri, infoHash } = await bareMagnet(single);
    await startLibtorrentDhtSeeder(single, infoHash);
    const dir = join(work, 'session-download');
    const session = await createSession({
      listen: { host: LOCALHOST, port: 0 },
      hashWorkers: 2,
      dht: { bootstrap: [{ host: LOCALHOST, port: bootstrap.port }] },
    });
    running.push({ stop: () => session.close() });
    const log: string[] = [];
    const fetch = session.addMagnet(parseMagnet(uri), { savePath: dir });
    fetch.on('progress', ({ received, total, peers }) =>
      log.push(`metadata ${received}/${total} (${peers} peers)`),
    );
    const done = untilTorrentDone(session, log);
    const status = await withTimeout(done, TRANSFER_TIMEOUT_MS, () => {
      const stats = session.dht?.stats();
      return `not done; known peers ${JSON.stringify(fetch.knownPeers.addresses())}; dht ${JSON.stringify(stats)}\n${log.join('\n')}`;
    });
    expect(status.progress).toBe(1);
    expect(await differingFiles(single, dir)).toEqual([]);
  }, 60_000);

  it('libtorrent, given only the magnet link, finds a bitloom seed (CLI) through the DHT', async () => {
    const { uri, infoHash } = await bareMagnet(single);
    const seed = bitloomCommand([
      'seed',
      single.torrentFile,
      '--data',
      single.dataDir,
      '--port',
      '0',
      '--listen',
      LOCALHOST,
      '--dht-bootstrap',
      `${LOCALHOST}:${bootstrap.port}`,
      '--quiet',
    ]);
    const listening = await seed.waitForLine(
      (line) => typeof line.text === 'string' && line.text.startsWith('listening on port '),
      20_000,
    );
    const seedPort = Number(String(listening.text).slice('listening on port '.length));
    await announcedToBootstrap(infoHash, seedPort).catch((error: Error) => {
      throw seed.failure(`${error.message}\n${buildOutput}`);
    });

    const dir = join(work, 'libtorrent-download');
    const leecher = await dhtNode();
    // libtorrent looks a new torrent's peers up once, then not for minutes: only once its DHT has nodes.
    await leecher.waitFor(
      (event) => event.event === 'status' && Number(event.dht_nodes) >= 2,
      20_000,
      'two DHT nodes (the bootstrap node and the seed)',
    );
    leecher.send({ cmd: 'add_torrent', magnet: uri, save_path: dir });
    await leecher
      .waitFor(
        (event) => event.event === 'torrent' && event.is_seeding === true,
        TRANSFER_TIMEOUT_MS,
        'completion',
      )
      .catch((error: Error) => {
        throw new Error(`${error.message}\n--- bitloom seed stderr ---\n${seed.stderr.slice(-2000)}`);
      });
    expect(await differingFiles(single, dir)).toEqual([]);
  }, 60_000);
});

/** Settles with the status at the `done` event of the torrent the session adds once the metadata is in. */
function untilTorrentDone(session: Session, log: string[]): Promise<TorrentStatus> {
  return new Promise((resolve, reject) => {
    session.on('torrent', ({ infoHash }) => {
      const torrent: Torrent | undefined = session.torrents.get(infoHash);
      log.push(`torrent added ${infoHash}`);
      torrent?.on('peer-connected', ({ address }) => log.push(`peer-connected ${address}`));
      torrent?.on('peer-closed', ({ address, reason, detail }) =>
        log.push(`peer-closed ${address} ${reason}: ${detail}`),
      );
      torrent?.once('done', resolve);
      torrent?.once('error', reject);
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
