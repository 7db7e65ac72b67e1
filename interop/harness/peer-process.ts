/**
 * A real BitTorrent client run as a seeder or leecher that prints JSON lines: a `ready` line with its
 * listening port, then status lines, and for a leecher a `complete` line before it exits 0. Shared by the
 * libtorrent and WebTorrent wrappers.
 */
import type { JsonLine, JsonLineChild } from './child-process.js';

/** Options every peer script takes. */
export interface PeerOptions {
  torrentFile: string;
  /** The folder holding (seeder) or receiving (leecher) the torrent's data. */
  dataDir: string;
  /** Port to listen on, 127.0.0.1; 0 (default) lets the client choose. */
  port?: number;
  /** Peers to dial (`host:port`). */
  connect?: string[];
}

/** A running peer. */
export interface PeerProcess {
  readonly process: JsonLineChild;
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  readonly infoHash: string;
  /** The latest status line (`uploaded`, `downloaded`, `peers`, `progress`, …). */
  latestStatus(): JsonLine | undefined;
  /** Stops the process by PID (stdin EOF, SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** A leecher; `completion` resolves once it holds every piece verified, rejects with its stderr otherwise. */
export interface LeecherProcess extends PeerProcess {
  readonly completion: Promise<void>;
}

/** The argument list `MODE TORRENT DATA_DIR --port P [--connect H:P]...` both peer scripts accept. */
export function peerArgs(mode: 'seed' | 'leech', options: PeerOptions): string[] {
  const args = [mode, options.torrentFile, options.dataDir, '--port', String(options.port ?? 0)];
  for (const peer of options.connect ?? []) args.push('--connect', peer);
  return args;
}

/** Waits for the `ready` line; stops the child if it never comes. */
export async function whenReady(child: JsonLineChild, readyTimeoutMs = 30_000): Promise<PeerProcess> {
  let ready: JsonLine;
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

/** Adds `completion` to a started leecher: exit 0 after a `complete` line. */
export function asLeecher(peer: PeerProcess, timeoutMs: number): LeecherProcess {
  const completion = (async () => {
    const status = await peer.process.waitForExit(timeoutMs);
    if (status !== 0 || !peer.process.lines.some((line) => line.event === 'complete')) {
      throw peer.process.failure(`leech did not complete (exit ${status})`);
    }
  })();
  // A test that never awaits completion must not see an unhandled rejection.
  completion.catch(() => {});
  return { ...peer, completion };
}
