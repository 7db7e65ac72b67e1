/**
 * libtorrent 2.0 (Debian's python3-libtorrent) as a test peer: typed wrappers around `libtorrent_peer.py`.
 * Create and inspect v1 torrents, let libtorrent hash-check data itself, and run it as a seeder or leecher (from
 * a torrent file or a magnet link) on loopback with DHT, LSD, UPnP, NAT-PMP and uTP off. Every child is stopped by PID through `stop()`.
 */
import { fileURLToPath } from 'node:url';
import { type JsonLine, JsonLineChild, runCommand } from './child-process.js';
import {
  asLeecher,
  type LeecherProcess,
  type PeerOptions,
  type PeerProcess,
  peerArgs,
  whenReady,
} from './peer-process.js';

/** Debian's Python: the `python3` first on PATH may be a build that cannot import libtorrent. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const LIBTORRENT_PEER_SCRIPT = fileURLToPath(new URL('./libtorrent_peer.py', import.meta.url));

/** What libtorrent reports about a torrent file. */
export interface LibtorrentTorrentInfo {
  /** v1 info-hash, 40 lowercase hex digits. */
  infoHash: string;
  name: string;
  pieceLength: number;
  totalLength: number;
  /** Piece hashes as 40-digit hex strings. */
  pieces: string[];
  /** Paths as libtorrent joins them (`name/dir/file` for multi-file torrents). */
  files: { path: string; length: number }[];
}

/** libtorrent's own hash check of data against a torrent. */
export interface LibtorrentCheckResult {
  infoHash: string;
  numPieces: number;
  verifiedPieces: number;
  /** True when every piece passed. */
  complete: boolean;
}

async function runScript<T>(args: string[], timeoutMs = 60_000): Promise<T> {
  const { stdout } = await runCommand(SYSTEM_PYTHON, [LIBTORRENT_PEER_SCRIPT, ...args], timeoutMs);
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(lastLine) as T;
  } catch {
    throw new Error(`libtorrent_peer.py ${args[0]}: unexpected output ${JSON.stringify(stdout)}`);
  }
}

/** Makes a v1-only torrent of `source` (a file or folder). libtorrent only accepts power-of-two piece sizes. */
export function libtorrentCreate(
  source: string,
  outFile: string,
  pieceLength: number,
): Promise<{ infoHash: string; pieces: string[] }> {
  return runScript(['create', source, outFile, '--piece-length', String(pieceLength)]);
}

/** Parses a torrent with libtorrent. */
export function libtorrentInfo(torrentFile: string): Promise<LibtorrentTorrentInfo> {
  return runScript(['info', torrentFile]);
}

/** Lets libtorrent hash the data under `dataDir` against the torrent (its data at `dataDir/name…`). */
export function libtorrentCheck(torrentFile: string, dataDir: string): Promise<LibtorrentCheckResult> {
  return runScript(['check', torrentFile, dataDir]);
}

/**
 * Starts libtorrent seeding (seed_mode: no start-up hash check) and resolves once it listens. It prints a
 * status line every second and runs until `stop()`; `connect` peers are dialled once it is ready.
 */
export async function startLibtorrentSeeder(options: PeerOptions): Promise<PeerProcess> {
  return whenReady(new JsonLineChild(SYSTEM_PYTHON, [LIBTORRENT_PEER_SCRIPT, ...peerArgs('seed', options)]));
}

/** Starts libtorrent downloading; resolves once it listens (so a bitloom seeder can dial it). */
export async function startLibtorrentLeecher(
  options: PeerOptions & { timeoutMs?: number },
): Promise<LeecherProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const args = [LIBTORRENT_PEER_SCRIPT, ...peerArgs('leech', options), '--timeout', String(timeoutMs / 1000)];
  const peer = await whenReady(new JsonLineChild(SYSTEM_PYTHON, args));
  return asLeecher(peer, timeoutMs + 10_000);
}

/** Runs libtorrent as a leecher to completion (rejects with its stderr on failure or timeout). */
export async function runLibtorrentLeecher(
  options: PeerOptions & { timeoutMs?: number },
): Promise<{ port: number; lines: JsonLine[] }> {
  const leecher = await startLibtorrentLeecher(options);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}

/** Options of a libtorrent leecher that starts from a magnet link instead of a torrent file. */
export interface MagnetLeecherOptions {
  /** The magnet link; its `x.pe` peers are dialled by libtorrent itself. */
  magnet: string;
  /** The folder receiving the torrent's data. */
  dataDir: string;
  /** Port to listen on, 127.0.0.1; 0 (default) lets libtorrent choose. */
  port?: number;
  /** More peers to dial in the metadata phase (`host:port`). */
  connect?: string[];
  timeoutMs?: number;
}

/**
 * Starts libtorrent downloading from a magnet link (BEP 9: metadata over ut_metadata first); resolves once it
 * listens. It prints a `metadata` line (infoHash, name, numFiles, numPieces, metadataSize) when the info
 * dictionary has arrived, and `completion` settles after its `complete` line.
 */
export async function startLibtorrentMagnetLeecher(options: MagnetLeecherOptions): Promise<LeecherProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const args = [
    LIBTORRENT_PEER_SCRIPT,
    'leech-magnet',
    options.magnet,
    options.dataDir,
    '--port',
    String(options.port ?? 0),
    ...(options.connect ?? []).flatMap((peer) => ['--connect', peer]),
    '--timeout',
    String(timeoutMs / 1000),
  ];
  const peer = await whenReady(new JsonLineChild(SYSTEM_PYTHON, args));
  return asLeecher(peer, timeoutMs + 10_000);
}

/** Runs libtorrent from a magnet link to completion (rejects with its stderr on failure or timeout). */
export async function runLibtorrentMagnetLeecher(
  options: MagnetLeecherOptions,
): Promise<{ port: number; lines: JsonLine[] }> {
  const leecher = await startLibtorrentMagnetLeecher(options);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}
