/**
 * libtorrent 2.0 (Debian's python3-libtorrent) as a test peer: typed wrappers around `libtorrent_peer.py`.
 * Create and inspect v1 torrents, let libtorrent hash-check data itself, and run it as a seeder or leecher on
 * loopback with DHT, LSD, UPnP, NAT-PMP and uTP off. Every child is stopped by PID through `stop()`.
 */
import { fileURLToPath } from 'node:url';
import { JsonLineChild, runCommand } from './child-process.js';

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

/** Options of a libtorrent seeder or leecher. */
export interface LibtorrentPeerOptions {
  torrentFile: string;
  /** The folder holding (seeder) or receiving (leecher) the torrent's data. */
  dataDir: string;
  /** Port to listen on, 127.0.0.1; 0 (default) lets libtorrent choose. */
  port?: number;
  /** Peers to dial (`host:port`), once the torrent has left the checking states. */
  connect?: string[];
}

/** A running libtorrent peer. */
export interface LibtorrentPeer {
  readonly process: JsonLineChild;
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  readonly infoHash: string;
  /** The latest status line (`uploaded`, `downloaded`, `peers`, `progress`, `state`, `isSeeding`). */
  latestStatus(): Record<string, unknown> | undefined;
  /** Stops the process by PID (stdin EOF, SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

function peerArgs(mode: 'seed' | 'leech', options: LibtorrentPeerOptions): string[] {
  const args = [LIBTORRENT_PEER_SCRIPT, mode, options.torrentFile, options.dataDir];
  args.push('--port', String(options.port ?? 0));
  for (const peer of options.connect ?? []) args.push('--connect', peer);
  return args;
}

async function startPeer(child: JsonLineChild, readyTimeoutMs: number): Promise<LibtorrentPeer> {
  let ready: Record<string, unknown>;
  try {
    ready = await child.waitForLine((line) => line.event === 'ready', readyTimeoutMs);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    process: child,
    port: Number(ready.port),
    infoHash: String(ready.infoHash),
    latestStatus: () => child.lines.filter((line) => line.event !== 'ready').at(-1),
    stop: () => child.stop(),
  };
}

/**
 * Starts libtorrent seeding (seed_mode: no start-up hash check) and resolves once it listens. It prints a
 * status line every second and runs until `stop()`.
 */
export function startLibtorrentSeeder(options: LibtorrentPeerOptions): Promise<LibtorrentPeer> {
  return startPeer(new JsonLineChild(SYSTEM_PYTHON, peerArgs('seed', options)), 30_000);
}

/** A libtorrent leecher; `completion` resolves once libtorrent holds every piece verified (it is seeding). */
export interface LibtorrentLeecher extends LibtorrentPeer {
  readonly completion: Promise<void>;
}

/** Starts libtorrent downloading; resolves once it listens (so a bitloom seeder can dial it). */
export async function startLibtorrentLeecher(
  options: LibtorrentPeerOptions & { timeoutMs?: number },
): Promise<LibtorrentLeecher> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const args = [...peerArgs('leech', options), '--timeout', String(timeoutMs / 1000)];
  const peer = await startPeer(new JsonLineChild(SYSTEM_PYTHON, args), 30_000);
  const completion = (async () => {
    const status = await peer.process.waitForExit(timeoutMs + 10_000);
    if (status !== 0 || !peer.process.lines.some((line) => line.event === 'complete')) {
      throw peer.process.failure(`leech did not complete (exit ${status})`);
    }
  })();
  // A test that never awaits completion must not see an unhandled rejection.
  completion.catch(() => {});
  return { ...peer, completion };
}

/** Runs libtorrent as a leecher to completion (rejects with its stderr on failure or timeout). */
export async function runLibtorrentLeecher(
  options: LibtorrentPeerOptions & { timeoutMs?: number },
): Promise<{ port: number; lines: Record<string, unknown>[] }> {
  const leecher = await startLibtorrentLeecher(options);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}
