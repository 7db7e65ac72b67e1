/**
 * libtorrent with extra session settings (a typed wrapper around `libtorrent_tuned_peer.py`): a seeder or leecher
 * whose settings_pack is changed at start and, optionally, once more a few seconds later — to force choking,
 * rate limits or allowed-fast sets an interop test needs to see on the wire.
 */
import { fileURLToPath } from 'node:url';
import { JsonLineChild } from './child-process.js';
import { SYSTEM_PYTHON } from './libtorrent.js';
import { type PeerOptions, type PeerProcess, peerArgs, whenReady } from './peer-process.js';

export const LIBTORRENT_TUNED_PEER_SCRIPT = fileURLToPath(
  new URL('./libtorrent_tuned_peer.py', import.meta.url),
);

/** libtorrent settings_pack names to values, e.g. `{ unchoke_slots_limit: 0, upload_rate_limit: 65536 }`. */
export type LibtorrentSettings = Record<string, number | boolean | string>;

export interface TunedPeerOptions extends PeerOptions {
  /** Applied when the session is made. */
  settings?: LibtorrentSettings;
  /** Applied once, `afterSeconds` after the session was made (a `settings-applied` line is printed then). */
  later?: { afterSeconds: number; settings: LibtorrentSettings };
  /** For a leecher: give up after this long (default 120 s). */
  timeoutMs?: number;
}

/** Starts a tuned libtorrent seeder (`seed`) or leecher (`leech`); resolves once it listens. */
export function startTunedLibtorrent(
  mode: 'seed' | 'leech',
  options: TunedPeerOptions,
): Promise<PeerProcess> {
  const args = [LIBTORRENT_TUNED_PEER_SCRIPT, ...peerArgs(mode, options)];
  if (mode === 'leech') args.push('--timeout', String((options.timeoutMs ?? 120_000) / 1000));
  const env = {
    ...process.env,
    BITLOOM_LT_SETTINGS: JSON.stringify(options.settings ?? {}),
    BITLOOM_LT_LATER_SETTINGS: JSON.stringify(options.later ?? null),
  };
  return whenReady(new JsonLineChild(SYSTEM_PYTHON, args, { env }));
}
