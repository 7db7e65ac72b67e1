/**
 * `bitloom info <magnet> --fetch`: the info dictionary is fetched over ut_metadata (BEP 9) from a bitloom seeder
 * on loopback and shown exactly as `info <file.torrent>` shows the same torrent, as text and as JSON. The
 * torrent has a few hundred files, so its info dictionary spans two 16 KiB metadata pieces. Also: the peer from
 * `--peer` instead of `x.pe`, a peer that never answers and a tracker that refuses (the timeout, exit 1, with
 * what was received and the tracker's error), and the usage errors.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTorrent,
  formatMagnet,
  type MagnetLink,
  type Metainfo,
  parseTorrent,
  type Session,
} from '@bitloom/engine';
import { createFileRangeReader, createSession, scanPath } from '@bitloom/node';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { inlineHasher } from '../src/hashers.js';
import { runCli } from './run-cli.js';

/** BEP 9 metadata piece size. */
const METADATA_PIECE = 16 * 1024;
const FILE_COUNT = 300;

let work: string;
let torrentFile: string;
let metainfo: Metainfo;
let seeder: Session;
/** A port nothing listens on: the torrent's (and link's) tracker, which refuses every announce. */
let deadTracker: string;
/** Accepts connections and never says a word. */
let silentPeer: Server;
const silentSockets = new Set<Socket>();

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Writes `FILE_COUNT` small files with long names below work/data and makes a torrent of them (no date, no creator). */
async function makeTorrent(): Promise<void> {
  const source = join(work, 'data', 'many-files');
  await mkdir(source, { recursive: true });
  const random = new SeededRandom(9);
  for (let index = 0; index < FILE_COUNT; index++) {
    const name = `track-${String(index).padStart(3, '0')}-a-name-long-enough-to-fill-the-info-dictionary.bin`;
    await writeFile(join(source, name), random.bytes(500 + (random.nextUint32() % 3000)));
  }
  const scanned = await scanPath(source);
  const reader = createFileRangeReader();
  try {
    const bytes = await createTorrent(
      {
        name: 'many-files',
        files: scanned.files,
        pieceLength: 32 * 1024,
        trackers: [deadTracker],
      },
      (fileIndex, position, length) => reader.read(scanned.files[fileIndex]!.absolutePath, position, length),
      inlineHasher,
    );
    torrentFile = join(work, 'many-files.torrent');
    await writeFile(torrentFile, bytes);
    metainfo = await parseTorrent(bytes, inlineHasher);
  } finally {
    await reader.close();
  }
}

function magnet(peers: { host: string; port: number }[]): string {
  const link: MagnetLink = {
    infoHash: metainfo.infoHash,
    displayName: metainfo.name,
    trackers: [deadTracker],
    webSeeds: [],
    peers,
  };
  return formatMagnet(link);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-info-magnet-'));
  deadTracker = `http://127.0.0.1:${await closedPort()}/announce`;
  await makeTorrent();
  seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  const torrent = seeder.addTorrent(metainfo, { savePath: join(work, 'data') });
  await torrent.next('done');
  silentPeer = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentPeer.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silentPeer?.close(resolve));
  await seeder?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

const seederAddress = () => ({ host: '127.0.0.1', port: seeder.listenPort });

describe('bitloom info <magnet> --fetch', () => {
  it('the test torrent needs more than one metadata piece', () => {
    expect(metainfo.infoBytes.length).toBeGreaterThan(METADATA_PIECE);
    expect(metainfo.files).toHaveLength(FILE_COUNT);
  });

  it('prints exactly what `info <file.torrent>` prints, fetching from the x.pe peer', async () => {
    const expected = await runCli(['info', torrentFile]);
    expect(expected.code).toBe(ExitCode.OK);
    const fetched = await runCli(['info', magnet([seederAddress()]), '--fetch', '--timeout', '20']);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(ExitCode.OK);
    expect(fetched.stdout).toBe(expected.stdout);
  });

  it('--json prints the same object as `info <file.torrent> --json`, fetching from a --peer', async () => {
    const expected = JSON.parse((await runCli(['info', torrentFile, '--json'])).stdout);
    const peer = `127.0.0.1:${seeder.listenPort}`;
    const fetched = await runCli([
      'info',
      magnet([]),
      '--fetch',
      '--peer',
      peer,
      '--json',
      '--timeout',
      '20',
    ]);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(ExitCode.OK);
    const json = JSON.parse(fetched.stdout);
    expect(json).toEqual(expected);
    expect(json.type).toBe('torrent');
    expect(json.files).toHaveLength(FILE_COUNT);
  });

  it('without --fetch a magnet link shows only what the link holds', async () => {
    const { code, stdout } = await runCli(['info', magnet([seederAddress()])]);
    expect(code).toBe(ExitCode.OK);
    expect(stdout).toMatch(/^Magnet link/);
    expect(stdout).toContain(`127.0.0.1:${seeder.listenPort}`);
    expect(stdout).not.toContain('Files (');
  });

  it('a peer that accepts and never answers: exit 1 after --timeout, saying what was received', async () => {
    const { port } = silentPeer.address() as { port: number };
    const started = performance.now();
    const { code, stdout, stderr } = await runCli([
      'info',
      magnet([{ host: '127.0.0.1', port }]),
      '--fetch',
      '--timeout',
      '1',
    ]);
    expect(code).toBe(ExitCode.FAILURE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^bitloom: no metadata within 1 s: 0\/\? pieces received/);
    // The session is closed at once, not after the 10 s handshake timeout.
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('a link whose only tracker refuses: the timeout message names the tracker and its error', async () => {
    const link = formatMagnet({
      infoHash: metainfo.infoHash,
      trackers: [deadTracker],
      webSeeds: [],
      peers: [],
    });
    const { code, stderr } = await runCli(['info', link, '--fetch', '--timeout', '1.5']);
    expect(code).toBe(ExitCode.FAILURE);
    expect(stderr).toContain('no metadata within 1.5 s: 0/? pieces received, 0 peers connected of 0 known');
    expect(stderr).toContain(`; ${deadTracker}: `);
  });

  it('usage errors: --peer without --fetch, a bad --timeout, a link with no way to find peers', async () => {
    const peerWithoutFetch = await runCli(['info', magnet([]), '--peer', '127.0.0.1:1']);
    expect(peerWithoutFetch.code).toBe(ExitCode.USAGE);
    expect(peerWithoutFetch.stderr).toContain('--peer and --timeout go with --fetch');
    const badTimeout = await runCli(['info', magnet([seederAddress()]), '--fetch', '--timeout', '0']);
    expect(badTimeout.code).toBe(ExitCode.USAGE);
    expect(badTimeout.stderr).toContain('--timeout 0');
    const link = formatMagnet({ infoHash: metainfo.infoHash, trackers: [], webSeeds: [], peers: [] });
    const nowhere = await runCli(['info', link, '--fetch']);
    expect(nowhere.code).toBe(ExitCode.USAGE);
    expect(nowhere.stderr).toContain('no way to find peers');
  });
});
