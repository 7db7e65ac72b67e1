/**
 * Magnet links end to end against real clients on loopback (BEP 9 ut_metadata, BEP 10): bitloom is given ONLY a
 * magnet link whose `x.pe` names the seeder, fetches the info dictionary from it, then downloads the torrent —
 * from libtorrent, Transmission and WebTorrent seeders — and every file is compared byte for byte. The other
 * way round, libtorrent given only a magnet link naming a bitloom seeder fetches the metadata from bitloom and
 * completes. One payload has a few hundred files, so its info dictionary spans several 16 KiB metadata pieces.
 * The `bitloom` command runs too (built first with `tsc -b`): `download <magnet> --quiet` and `info <magnet>
 * --fetch --json`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatMagnet,
  type InfoDictionary,
  type Metainfo,
  parseMagnet,
  type Session,
  type Torrent,
  type TorrentStatus,
} from '@bitloom/engine';
import { createSession } from '@bitloom/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readTorrentFile, startBitloom, untilDone } from './harness/bitloom.js';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { libtorrentCreate, runLibtorrentMagnetLeecher, startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture, makeFixtures } from './harness/payloads.js';
import { makePayload } from './harness/tools.js';
import { startTracker } from './harness/tracker.js';
import { startTransmission, type TransmissionInfo } from './harness/transmission.js';
import { startWebTorrentSeeder } from './harness/webtorrent.js';

const TRANSFER_TIMEOUT_MS = 60_000;
/** BEP 9 metadata piece size. */
const METADATA_PIECE = 16 * 1024;
const MANY_FILE_COUNT = 450;

let work: string;
let single: Fixture;
let multi: Fixture;
/** A few hundred small files with long names: an info dictionary of several metadata pieces. */
let many: Fixture;
const running: { stop(): Promise<void> }[] = [];
const sessions: Session[] = [];
/** What `tsc -b` printed (empty when the build was clean), for failure messages. */
let buildOutput = '';

async function makeManyFilesFixture(): Promise<Fixture> {
  const dataDir = join(work, 'seed-many');
  const files = Array.from({ length: MANY_FILE_COUNT }, (_, index) => ({
    path: `many/disc-${index % 3}/track-${String(index).padStart(3, '0')}-with-a-name-long-enough-to-matter.bin`,
    length: 1 + ((index * 7919) % 6000),
  }));
  await makePayload(dataDir, { seed: 17, files });
  const torrentFile = join(work, 'many.torrent');
  await libtorrentCreate(join(dataDir, 'many'), torrentFile, 32 * 1024);
  return { label: `${MANY_FILE_COUNT} files`, torrentFile, dataDir, files, pieceLength: 32 * 1024 };
}

function bitloomCommand(args: string[]): JsonLineChild {
  const child = spawnBitloom(args);
  running.push(child);
  return child;
}

/** The magnet link of a torrent file with nothing in it but the info-hash, the name and `x.pe` peers. */
async function magnetOf(fixture: Fixture, peerPorts: number[]): Promise<{ uri: string; metainfo: Metainfo }> {
  const metainfo = await readTorrentFile(fixture.torrentFile);
  const uri = formatMagnet({
    infoHash: metainfo.infoHash,
    displayName: metainfo.name,
    trackers: [],
    webSeeds: [],
    peers: peerPorts.map((port) => ({ host: '127.0.0.1', port })),
  });
  return { uri, metainfo };
}

interface MagnetDownload {
  readonly metadata: InfoDictionary;
  readonly status: TorrentStatus;
  /** The most metadata pieces any progress event counted. */
  readonly metadataPieces: number;
}

/**
 * bitloom in-process, given only `uri`: a session on 127.0.0.1 that adds the parsed link and runs until the
 * torrent is done. Fetch and torrent events are logged for the failure message.
 */
async function downloadMagnet(
  uri: string,
  savePath: string,
  client: { stderr(): string },
): Promise<MagnetDownload> {
  const session = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 2 });
  sessions.push(session);
  const log: string[] = [];
  const startedAt = performance.now();
  const note = (line: string) => log.push(`+${Math.round(performance.now() - startedAt)}ms ${line}`);
  const fetch = session.addMagnet(parseMagnet(uri), { savePath });
  let metadataPieces = 0;
  let torrent: Torrent | undefined;
  fetch.on('progress', ({ received, total, peers }) => {
    metadataPieces = Math.max(metadataPieces, total);
    note(`metadata ${received}/${total} from ${peers} peers`);
  });
  session.on('peer-refused', ({ address, reason, detail }) =>
    note(`peer-refused ${address} ${reason}: ${detail}`),
  );
  fetch.on('bad-peer', ({ address, reason }) => note(`bad-peer ${address}: ${reason}`));
  const metadata = new Promise<InfoDictionary>((resolve, reject) => {
    fetch.once('metadata', resolve);
    fetch.once('error', reject);
  });
  const done = new Promise<TorrentStatus>((resolve, reject) => {
    session.on('torrent', ({ infoHash }) => {
      torrent = session.torrents.get(infoHash);
      note(`torrent added ${infoHash}`);
      torrent?.on('state', ({ state }) => note(`state ${state}`));
      torrent?.on('peer-connected', ({ address }) => note(`peer-connected ${address}`));
      torrent?.on('peer-closed', ({ address, reason, detail }) =>
        note(`peer-closed ${address} ${reason}: ${detail}`),
      );
      torrent?.once('done', resolve);
      torrent?.once('error', reject);
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not done within ${TRANSFER_TIMEOUT_MS} ms`)),
      TRANSFER_TIMEOUT_MS,
    );
  });
  try {
    const [info, status] = await Promise.race([Promise.all([metadata, done]), timeout]);
    return { metadata: info, status, metadataPieces };
  } catch (error) {
    const status = torrent
      ? JSON.stringify(torrent.status())
      : `no torrent yet: ${JSON.stringify(fetch.progress())}`;
    throw new Error(
      `bitloom from ${uri}: ${(error as Error).message}\n--- status ---\n${status}\n--- events ---\n${log.slice(-40).join('\n')}\n--- client stderr ---\n${client.stderr().slice(-3000)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The download verified every byte, the metadata is the torrent file's, and the files equal the source. */
async function expectComplete(result: MagnetDownload, metainfo: Metainfo, fixture: Fixture, dir: string) {
  expect(result.metadata.infoHashHex).toBe(metainfo.infoHashHex);
  expect(result.metadata.infoBytes).toEqual(metainfo.infoBytes);
  expect(result.status.state).toBe('seeding');
  expect(result.status.verifiedBytes).toBe(result.status.totalBytes);
  expect(result.status.hashFailures).toBe(0);
  expect(await differingFiles(fixture, dir)).toEqual([]);
}

function transmissionSeeding(info: TransmissionInfo): boolean {
  return info.percentDone === 100 && (info.state === 'Seeding' || info.state === 'Idle');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-engine-magnet-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, [256 * 1024]),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  [single, multi] = fixtures as [Fixture, Fixture];
  many = await makeManyFilesFixture();
}, 180_000);

afterEach(async () => {
  await Promise.all([
    ...running.splice(0).map((child) => child.stop()),
    ...sessions.splice(0).map((session) => session.close()),
  ]);
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the many-files payload', () => {
  it(`its info dictionary spans several ${METADATA_PIECE / 1024} KiB metadata pieces`, async () => {
    const metainfo = await readTorrentFile(many.torrentFile);
    expect(metainfo.files).toHaveLength(MANY_FILE_COUNT);
    expect(metainfo.infoBytes.length).toBeGreaterThan(2 * METADATA_PIECE);
  });
});

describe('bitloom downloads from a magnet link (x.pe = the seeder, nothing else)', () => {
  it(`from a libtorrent seeder: ${MANY_FILE_COUNT} files, metadata in several pieces`, async () => {
    const seeder = await startLibtorrentSeeder({ torrentFile: many.torrentFile, dataDir: many.dataDir });
    running.push(seeder);
    const { uri, metainfo } = await magnetOf(many, [seeder.port]);
    const dir = join(work, 'bitloom-from-libtorrent');
    const result = await downloadMagnet(uri, dir, { stderr: () => seeder.process.stderr });
    await expectComplete(result, metainfo, many, dir);
    expect(result.metadataPieces).toBe(Math.ceil(metainfo.infoBytes.length / METADATA_PIECE));
  });

  it('from a Transmission seeder (bitloom dials it): single file, 256 KiB pieces', async () => {
    const transmission = await startTransmission({
      torrentFile: single.torrentFile,
      dataDir: single.dataDir,
      configDir: join(work, 'transmission-seed'),
    });
    running.push(transmission);
    await transmission.waitFor(transmissionSeeding, 30_000);
    const { uri, metainfo } = await magnetOf(single, [transmission.port]);
    const dir = join(work, 'bitloom-from-transmission');
    const result = await downloadMagnet(uri, dir, { stderr: () => transmission.process.stderr });
    await expectComplete(result, metainfo, single, dir);
  });

  it('from a WebTorrent seeder: the multi-file torrent (nested, zero-length file)', async () => {
    const seeder = await startWebTorrentSeeder({ torrentFile: multi.torrentFile, dataDir: multi.dataDir });
    running.push(seeder);
    const { uri, metainfo } = await magnetOf(multi, [seeder.port]);
    const dir = join(work, 'bitloom-from-webtorrent');
    const result = await downloadMagnet(uri, dir, { stderr: () => seeder.process.stderr });
    await expectComplete(result, metainfo, multi, dir);
  });
});

describe('libtorrent downloads from a magnet link naming a bitloom seeder', () => {
  it(`fetches the metadata (several pieces) from bitloom and completes: ${MANY_FILE_COUNT} files`, async () => {
    const seeder = await startBitloom({ torrentFile: many.torrentFile, savePath: many.dataDir });
    sessions.push(seeder.session);
    expect((await untilDone(seeder, TRANSFER_TIMEOUT_MS)).state).toBe('seeding');
    const { uri, metainfo } = await magnetOf(many, [seeder.port]);
    const dir = join(work, 'libtorrent-from-bitloom');
    let lines: Record<string, unknown>[];
    try {
      ({ lines } = await runLibtorrentMagnetLeecher({
        magnet: uri,
        dataDir: dir,
        timeoutMs: TRANSFER_TIMEOUT_MS,
      }));
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- bitloom seeder status ---\n${JSON.stringify(seeder.torrent.status())}\n--- bitloom seeder events ---\n${seeder.log.join('\n')}`,
      );
    }
    expect(lines.find((line) => line.event === 'metadata')).toMatchObject({
      infoHash: metainfo.infoHashHex,
      numFiles: MANY_FILE_COUNT,
      metadataSize: metainfo.infoBytes.length,
    });
    expect(lines.at(-1)).toMatchObject({ event: 'complete' });
    expect(await differingFiles(many, dir)).toEqual([]);
    expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(metainfo.totalLength);
  });
});

describe('the bitloom command with a magnet link', () => {
  it('bitloom download "<magnet with x.pe>" --quiet from a libtorrent seeder exits 0, byte for byte', async () => {
    const seeder = await startLibtorrentSeeder({ torrentFile: single.torrentFile, dataDir: single.dataDir });
    running.push(seeder);
    const { uri } = await magnetOf(single, [seeder.port]);
    const dir = join(work, 'cli-from-libtorrent');
    const download = bitloomCommand(['download', uri, '-o', dir, '--quiet']);
    const status = await download.waitForExit(TRANSFER_TIMEOUT_MS);
    await download.stdoutClosed;
    if (status !== 0) {
      throw download.failure(
        `exited with ${status}\n--- seeder stderr ---\n${seeder.process.stderr.slice(-2000)}\n${buildOutput}`,
      );
    }
    expect(download.rawLines).toEqual([]);
    expect(await differingFiles(single, dir)).toEqual([]);
  });

  it('bitloom info "<magnet>" --fetch --json from a libtorrent seeder shows every file', async () => {
    const seeder = await startLibtorrentSeeder({ torrentFile: many.torrentFile, dataDir: many.dataDir });
    running.push(seeder);
    const { uri } = await magnetOf(many, []);
    const info = bitloomCommand(['info', uri, '--fetch', '--peer', `127.0.0.1:${seeder.port}`, '--json']);
    const status = await info.waitForExit(TRANSFER_TIMEOUT_MS);
    await info.stdoutClosed;
    if (status !== 0) throw info.failure(`exited with ${status}\n${buildOutput}`);
    const fetched = JSON.parse(info.rawLines.join('\n'));
    const fromFile = bitloomCommand(['info', many.torrentFile, '--json']);
    expect(await fromFile.waitForExit(30_000)).toBe(0);
    await fromFile.stdoutClosed;
    const expected = JSON.parse(fromFile.rawLines.join('\n'));
    // The magnet link carries no creator or date: everything of the info dictionary must match.
    const { createdBy: _creator, creationDate: _date, ...fileWithoutExtras } = expected;
    expect(fetched).toEqual(fileWithoutExtras);
    expect(fetched.files).toHaveLength(MANY_FILE_COUNT);
  });

  it('bitloom info "<magnet with only tr>" --fetch finds a bitloom seeder through the tracker', async () => {
    const tracker = await startTracker(5_000);
    running.push(tracker);
    const metainfo = await readTorrentFile(many.torrentFile);
    const seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 2 });
    sessions.push(seeder);
    seeder.addTorrent(metainfo, { savePath: many.dataDir, trackers: [[tracker.httpUrl]] });
    const infoHash = metainfo.infoHashHex;
    await tracker.waitForAnnounce((a) => a.infoHash === infoHash && a.port === seeder.listenPort, 30_000);
    const uri = formatMagnet({
      infoHash: metainfo.infoHash,
      trackers: [tracker.httpUrl],
      webSeeds: [],
      peers: [],
    });
    const info = bitloomCommand(['info', uri, '--fetch', '--json', '--timeout', '30']);
    const status = await info.waitForExit(TRANSFER_TIMEOUT_MS);
    await info.stdoutClosed;
    if (status !== 0) throw info.failure(`exited with ${status}\n${buildOutput}`);
    const fetched = JSON.parse(info.rawLines.join('\n'));
    expect(fetched).toMatchObject({ type: 'torrent', infoHash, name: 'many', trackers: [[tracker.httpUrl]] });
    expect(fetched.files).toHaveLength(MANY_FILE_COUNT);
    // The command announced itself (a real port, not 0) and said `stopped` when it was done.
    const ours = (a: { infoHash: string; port: number }) =>
      a.infoHash === infoHash && a.port !== seeder.listenPort;
    await tracker.waitForAnnounce((a) => ours(a) && a.event === 'stop', 10_000);
    const own = tracker.announces().filter(ours);
    expect(own.map((a) => a.event)).toEqual(['start', 'stop']);
  });
});
