/**
 * WebTorrent 3 as a test peer over TCP: typed wrappers around `interop/webtorrent/peer.mjs` (its own npm
 * folder, installed with `npm install --ignore-scripts`). Same JSON-line protocol as the libtorrent peer.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type JsonLine, JsonLineChild } from './child-process.js';
import {
  asLeecher,
  type LeecherProcess,
  type PeerOptions,
  type PeerProcess,
  peerArgs,
  whenReady,
} from './peer-process.js';

export const WEBTORRENT_PEER_SCRIPT = fileURLToPath(new URL('../webtorrent/peer.mjs', import.meta.url));
const WEBTORRENT_MODULES = fileURLToPath(new URL('../webtorrent/node_modules/webtorrent', import.meta.url));

function spawnPeer(args: string[]): JsonLineChild {
  if (!existsSync(WEBTORRENT_MODULES)) {
    throw new Error('WebTorrent is not installed: run `npm install --ignore-scripts` in interop/webtorrent');
  }
  return new JsonLineChild(process.execPath, [WEBTORRENT_PEER_SCRIPT, ...args]);
}

/** Starts WebTorrent seeding (it hash-checks the data first) and resolves once it listens. */
export async function startWebTorrentSeeder(options: PeerOptions): Promise<PeerProcess> {
  return whenReady(spawnPeer(peerArgs('seed', options)));
}

/** Starts WebTorrent downloading; resolves once it listens. */
export async function startWebTorrentLeecher(
  options: PeerOptions & { timeoutMs?: number },
): Promise<LeecherProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const peer = await whenReady(
    spawnPeer([...peerArgs('leech', options), '--timeout', String(timeoutMs / 1000)]),
  );
  return asLeecher(peer, timeoutMs + 10_000);
}

/** Runs WebTorrent as a leecher to completion (rejects with its stderr on failure or timeout). */
export async function runWebTorrentLeecher(
  options: PeerOptions & { timeoutMs?: number },
): Promise<{ port: number; lines: JsonLine[] }> {
  const leecher = await startWebTorrentLeecher(options);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}
