/**
 * libtorrent as a leecher that insists on protocol encryption (MSE/PE forced both ways, RC4 only): a typed
 * wrapper around `libtorrent_encrypted_peer.py`, which is `libtorrent_peer.py` with those settings applied.
 */
import { fileURLToPath } from 'node:url';
import { type JsonLine, JsonLineChild } from './child-process.js';
import { SYSTEM_PYTHON } from './libtorrent.js';
import { asLeecher, type PeerOptions, peerArgs, whenReady } from './peer-process.js';

export const LIBTORRENT_ENCRYPTED_PEER_SCRIPT = fileURLToPath(
  new URL('./libtorrent_encrypted_peer.py', import.meta.url),
);

/** Runs an encryption-forcing libtorrent leecher to completion (rejects with its stderr on failure). */
export async function runEncryptedLibtorrentLeecher(
  options: PeerOptions & { timeoutMs?: number },
): Promise<{ port: number; lines: JsonLine[] }> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const args = [
    LIBTORRENT_ENCRYPTED_PEER_SCRIPT,
    ...peerArgs('leech', options),
    '--timeout',
    String(timeoutMs / 1000),
  ];
  const leecher = asLeecher(await whenReady(new JsonLineChild(SYSTEM_PYTHON, args)), timeoutMs + 10_000);
  try {
    await leecher.completion;
  } finally {
    await leecher.stop();
  }
  return { port: leecher.port, lines: leecher.process.lines };
}
