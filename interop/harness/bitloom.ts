/**
 * bitloom itself as an interop peer, in-process on the Node platform: a session listening on 127.0.0.1 with
 * one torrent, seeding data already on disk or downloading it from given peers. Every torrent event
 * (`state`, `peer-connected`, `peer-closed`, `piece-failed`, `error`) is logged, so a failed interop test can
 * say what bitloom saw and why each peer went away.
 */
import { readFile } from 'node:fs/promises';
import { type Metainfo, parseTorrent, type Session, type Torrent, type TorrentStatus } from '@bitloom/engine';
import { createSession } from '@bitloom/node';
import { testHasher } from '@bitloom/testkit';

/** Parses a torrent file with bitloom (the SHA-1 of the test hasher is plenty for one info-hash). */
export async function readTorrentFile(torrentFile: string): Promise<Metainfo> {
  return parseTorrent(new Uint8Array(await readFile(torrentFile)), testHasher);
}

/** A running bitloom session with one torrent. */
export interface BitloomPeer {
  readonly session: Session;
  readonly torrent: Torrent;
  /** The port the session accepts peers on (127.0.0.1). */
  readonly port: number;
  /** One line per torrent event, in order, with milliseconds since the start: diagnostics for failures. */
  readonly log: string[];
  /** Settles with the status at the torrent's `done` event; rejects on a torrent error. */
  readonly done: Promise<TorrentStatus>;
  /** Closes the session (and its platform); safe to call twice. */
  close(): Promise<void>;
}

export interface BitloomPeerOptions {
  torrentFile: string;
  /** Where the torrent's data is (seeder) or goes (leecher). */
  savePath: string;
  /** Peers to dial at once (`host:port`). */
  connect?: string[];
}

/** Starts a session on 127.0.0.1 (any free port) and adds the torrent; events are logged from the start. */
export async function startBitloom(options: BitloomPeerOptions): Promise<BitloomPeer> {
  const metainfo = await readTorrentFile(options.torrentFile);
  // Two hash workers at most: the machine running interop tests is shared with the real clients.
  const session = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 2 });
  const log: string[] = [];
  const torrent = session.addTorrent(metainfo, {
    savePath: options.savePath,
    peers: (options.connect ?? []).map(parseHostPort),
  });
  const startedAt = performance.now();
  const note = (line: string) => log.push(`+${Math.round(performance.now() - startedAt)}ms ${line}`);
  let piecesVerified = 0;
  torrent.on('state', ({ state }) => note(`state ${state}`));
  torrent.on('peer-connected', ({ address }) => note(`peer-connected ${address}`));
  torrent.on('peer-closed', ({ address, reason, detail }) =>
    note(`peer-closed ${address} ${reason}: ${detail}`),
  );
  torrent.on('piece', () => {
    // The first and every 64th piece: enough to see the pace without flooding the log.
    if (piecesVerified++ % 64 === 0) note(`piece verified (${piecesVerified} so far)`);
  });
  torrent.on('piece-failed', ({ piece, peers }) => note(`piece-failed ${piece} (${peers} peers)`));
  torrent.on('done', () => note('done'));
  torrent.on('error', (error) => note(`error ${error.message}`));
  const done = new Promise<TorrentStatus>((resolve, reject) => {
    torrent.once('done', resolve);
    torrent.once('error', (error) => reject(bitloomFailure(peer, `error: ${error.message}`)));
  });
  // A test that never awaits `done` must not see an unhandled rejection.
  done.catch(() => {});
  let closing: Promise<void> | undefined;
  const peer: BitloomPeer = {
    session,
    torrent,
    port: session.listenPort,
    log,
    done,
    close: () => {
      closing ??= session.close();
      return closing;
    },
  };
  return peer;
}

/** `host:port` → `{ host, port }`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

/**
 * Resolves with the torrent's status once it has every piece verified and flushed to disk (its `done` event:
 * after the start-up check for a seeder, after the last piece for a leecher); rejects with the event log and
 * the status on a torrent error or after `timeoutMs`.
 */
export async function untilDone(peer: BitloomPeer, timeoutMs: number): Promise<TorrentStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bitloomFailure(peer, `not done within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([peer.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An Error with bitloom's torrent status and the tail of its event log. */
export function bitloomFailure(peer: BitloomPeer, what: string): Error {
  const status = peer.torrent.status();
  return new Error(
    `bitloom: ${what}\n--- status ---\n${JSON.stringify(status)}\n--- events ---\n${peer.log.slice(-40).join('\n')}`,
  );
}
