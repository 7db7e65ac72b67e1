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

/**
 * WebTorrent's options on top of the common ones. `secure` is its protocol-encryption level (MSE/PE):
 * 1 (its default) makes its outgoing connections open with the PE handshake (providing RC4 and plaintext), which
 * a peer without MSE drops; 2 provides RC4 only;
 * 0 is plaintext only.
 */
export interface WebTorrentPeerOptions extends PeerOptions {
  secure?: 0 | 1 | 2;
}

function webTorrentArgs(mode: 'seed' | 'leech', options: WebTorrentPeerOptions): string[] {
  const args = peerArgs(mode, options);
  if (options.secure !== undefined) args.push('--secure', String(options.secure));
  return args;
}

function spawnPeer(args: string[]): JsonLineChild {
  if (!existsSync(WEBTORRENT_MODULES)) {
    throw new Error('WebTorrent is not installed: run `npm install --ignore-scripts` in interop/webtorrent');
  }
  return new JsonLineChild(process.execPath, [WEBTORRENT_PEER_SCRIPT, ...args]);
}

/** Starts WebTorrent seeding (it hash-checks the data first) and resolves once it listens. */
export async function startWebTorrentSeeder(options: WebTorrentPeerOptions): Promise<PeerProcess> {
  return whenReady(spawnPeer(webTorrentArgs('seed', options)));
}

/** Starts WebTorrent downloading; resolves once it listens. */
export async function startWebTorrentLeecher(
  options: WebTorrentPeerOptions & { timeoutMs?: number },
): Promise<LeecherProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const peer = await whenReady(
    spawnPeer([...webTorrentArgs('leech', options), '--timeout', String(timeoutMs / 1000)]),
  );
  return asLeecher(peer, timeoutMs + 10_000);
}

/** Runs WebTorrent as a leecher to completion (rejects with its stderr on failure or timeout). */
export async function runWebTorrentLeecher(
  options: WebTorrentPeerOptions & { timeoutMs?: number },
): Promise<{ port: number; lines: JsonLine[] }> {
  const leecher = await startWebTorrentLeecher(options);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}
