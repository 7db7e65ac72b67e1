/**
 * Runs one torrent in a session until it is done (or, when seeding, until SIGINT/SIGTERM), drawing progress.
 * Shared by `download`, `seed` and `demo`. A first Ctrl-C stops cleanly; a second exits at once.
 */
import { resolve } from 'node:path';
import {
  type MagnetLink,
  type Metainfo,
  type ResumeStore,
  resumedMetadata,
  type Session,
  type Torrent,
  type TorrentStatus,
  type TrackerStatus,
} from '@bitloom/engine';
import { createSession, type NodePlatform } from '@bitloom/node';
import type { OutputStream } from './cli-context.js';
import { type DhtCliOptions, dhtOptionsFrom, saveDhtNodes } from './dht-options.js';
import { oneLine, safeText } from './format.js';
import { inlineHasher } from './hashers.js';
import { watchInterrupts } from './interrupts.js';
import { ProgressDisplay, type ProgressSink } from './progress-display.js';
import { TorrentEvents } from './torrent-events.js';

/** What to run: a parsed .torrent, or a magnet link whose metadata is fetched first (BEP 9). */
export type TorrentSource =
  | { readonly kind: 'torrent'; readonly metainfo: Metainfo }
  | { readonly kind: 'magnet'; readonly link: MagnetLink };

export interface RunTorrentOptions {
  readonly source: TorrentSource;
  /** The session's platform; default Node's own. */
  readonly platform?: NodePlatform;
  readonly savePath: string;
  readonly peers: readonly { host: string; port: number }[];
  /** Tracker tiers; default: the torrent's own. */
  readonly trackers?: readonly (readonly string[])[];
  readonly listenHost: string;
  readonly listenPort: number;
  /** Keep running after the download completes (seeding), until interrupted. */
  readonly keepSeeding: boolean;
  readonly quiet: boolean;
  readonly stderr: OutputStream & ProgressSink;
  /** Per-file progress in the display and in `--json` progress events (`--files`). */
  readonly showFiles?: boolean;
  /** NDJSON events on this stream instead of the progress display (`--json`). */
  readonly events?: OutputStream;
  /** Called once the torrent is added (for a magnet: once its metadata arrived); may return a cleanup. */
  readonly onTorrent?: (torrent: Torrent) => Promise<(() => Promise<void>) | undefined>;
  /** Called once the session listens (e.g. to print the port). */
  readonly onListening?: (session: Session) => void;
  /** Only these files (inclusive index ranges); default all. */
  readonly selectOnly?: readonly { start: number; end: number }[];
  /** Download pieces in order. */
  readonly sequential?: boolean;
  /** Session-wide rate limits in bytes per second (0 or absent: unlimited). */
  readonly limits?: { readonly download?: number; readonly upload?: number };
  /** The DHT flags of the command (`--no-dht`, `--dht-bootstrap`); undefined: no DHT. */
  readonly dht?: DhtCliOptions;
  /** Where resume data is kept (undefined: nowhere, every start hash-checks). */
  readonly resume?: ResumeStore;
  /** Hash-check every piece, ignoring saved resume data. */
  readonly recheck?: boolean;
  /** False: every write goes through the page cache (`--no-direct-io`); ignored with `platform`. */
  readonly directWrites?: boolean;
}

export interface RunResult {
  readonly outcome: 'done' | 'interrupted' | 'error';
  /** Undefined when interrupted before a magnet's metadata arrived. */
  readonly status: TorrentStatus | undefined;
  readonly error?: Error;
}

export async function runTorrent(options: RunTorrentOptions): Promise<RunResult> {
  const dht = options.dht ? await dhtOptionsFrom(options.dht) : undefined;
  const session = await createSession({
    ...(options.platform && { platform: options.platform }),
    ...(options.directWrites === false && { directWrites: false }),
    listen: { host: options.listenHost, port: options.listenPort },
    ...(dht && { dht }),
    ...(options.resume && { resume: options.resume }),
  });
  options.onListening?.(session);
  if (options.limits) session.setRateLimits(options.limits);
  const display = ProgressDisplay.for(options.stderr, options.quiet || options.events !== undefined, () =>
    performance.now(),
  );
  const interrupts = watchInterrupts(
    () =>
      display.message('bitloom: stopping (telling trackers, closing files); Ctrl-C again to quit at once'),
    (code) => {
      display.clear();
      process.exit(code);
    },
  );
  let cleanup: (() => Promise<void>) | undefined;
  let result: RunResult;
  let lastError: Error | undefined;
  try {
    const torrent = await addSource(session, options, display, interrupts.interrupted);
    if (!torrent) return { outcome: 'interrupted', status: undefined };
    torrent.on('error', (error) => {
      lastError = error;
    });
    cleanup = await options.onTorrent?.(torrent);
    result = await runUntilDone(torrent, options, display, interrupts.interrupted);
  } catch (error) {
    result = {
      outcome: 'error',
      status: undefined,
      error: error instanceof Error ? error : new Error(String(error)),
    };
  } finally {
    await cleanup?.();
    if (options.dht) await saveDhtNodes(session, options.dht);
    await session.close();
    interrupts.dispose();
  }
  // `done` comes before the data is made durable (fsync), which closing the session waits for: a failure
  // there means the files may not hold what was reported, so the run failed.
  if (result.outcome === 'done' && lastError !== undefined)
    return { ...result, outcome: 'error', error: lastError };
  return result;
}

/** Adds the torrent; for a magnet link, waits (showing progress) until its metadata arrived. */
async function addSource(
  session: Session,
  options: RunTorrentOptions,
  display: ProgressDisplay,
  interrupted: Promise<void>,
): Promise<Torrent | undefined> {
  const add = {
    // Absolute, so resume data recorded from one working folder is not taken for another's.
    savePath: resolve(options.savePath),
    peers: options.peers,
    ...(options.recheck && { recheck: true }),
    ...(options.trackers && { trackers: options.trackers }),
    ...(options.selectOnly && { selectOnly: options.selectOnly }),
    // Always stated, so saved settings are never restored: the command line says what to download.
    sequential: options.sequential === true,
  };
  if (options.source.kind === 'torrent') return session.addTorrent(options.source.metainfo, add);
  const link = options.source.link;
  // A magnet link downloaded before: its metadata is in the resume data, no need to ask peers for it.
  const known =
    options.resume && link.infoHash && (await resumedMetadata(options.resume, link.infoHash, inlineHasher));
  if (known) {
    const selectOnly = options.selectOnly ?? link.selectOnly;
    return session.addTorrent(known, {
      ...add,
      peers: [...options.peers, ...link.peers],
      trackers: [...link.trackers.map((url) => [url]), ...(options.trackers ?? [])],
      ...(selectOnly && { selectOnly }),
    });
  }
  const fetch = session.addMagnet(options.source.link, add);
  const name = options.source.link.displayName ?? fetch.infoHashHex;
  const redraw = setInterval(
    () => {
      const p = fetch.progress();
      display.metadata({
        name,
        received: p.received,
        total: p.total,
        peersConnected: p.peers,
        peersKnown: fetch.knownPeers.size,
      });
    },
    options.stderr.isTTY ? 250 : 1000,
  );
  try {
    const arrived = new Promise<Torrent>((resolve, reject) => {
      session.on('torrent', ({ infoHash }) => {
        const torrent = session.torrents.get(infoHash);
        if (torrent) resolve(torrent);
      });
      fetch.on('error', reject);
    });
    return await Promise.race([arrived, interrupted.then(() => undefined)]);
  } finally {
    clearInterval(redraw);
  }
}

async function runUntilDone(
  torrent: Torrent,
  options: RunTorrentOptions,
  display: ProgressDisplay,
  interrupted: Promise<void>,
): Promise<RunResult> {
  const name = torrent.info.name;
  const events = options.events
    ? new TorrentEvents(options.events, torrent, options.showFiles === true)
    : undefined;
  // Per-file status only when something shows it: --files, and a display that is not quiet.
  const files = () =>
    options.showFiles && display.mode !== 'quiet' ? torrent.files().map((file) => file.status()) : undefined;
  events?.metadata();
  torrent.on('piece-failed', (e) => events?.pieceFailed(e));
  torrent.on('resume', (outcome) => {
    events?.resume(outcome);
    // Saying why saved resume data was not used; its mere absence is the normal first run.
    if (!outcome.resumed && outcome.reason && outcome.reason !== 'no resume data' && !options.quiet) {
      display.message(`bitloom: resume data not used (${oneLine(outcome.reason)}); every piece was checked`);
    }
  });
  torrent.on('resume-save-failed', ({ reason }) => {
    events?.resumeSaveFailed(reason);
    if (!options.quiet) display.message(`bitloom: cannot save resume data: ${oneLine(reason)}`);
  });
  let shownTrouble: string | undefined;
  const redraw = setInterval(
    () => {
      const status = torrent.status();
      if (events) {
        events.progress(status);
        return;
      }
      const trouble = options.quiet ? undefined : trackerTrouble(torrent.trackers(), status);
      if (trouble !== undefined && trouble !== shownTrouble) display.message(trouble);
      shownTrouble = trouble;
      display.update(status, name, files());
    },
    options.stderr.isTTY ? 250 : 1000,
  );
  const result = await new Promise<Omit<RunResult, 'status'>>((resolve) => {
    void interrupted.then(() => resolve({ outcome: 'interrupted' }));
    torrent.on('done', (status) => {
      events?.done(status);
      if (!options.keepSeeding) resolve({ outcome: 'done' });
      else display.finish(torrent.status(), name, files());
    });
    torrent.on('error', (error) => {
      events?.error(error);
      resolve({ outcome: 'error', error });
    });
  });
  clearInterval(redraw);
  const status = torrent.status();
  display.finish(status, name, files());
  return { ...result, status };
}

/**
 * One line when the trackers are why nothing happens: every tracker has failed and no peer is connected. It
 * names the first tracker's error; `undefined` while any tracker works or a peer is connected.
 */
function trackerTrouble(trackers: readonly TrackerStatus[], status: TorrentStatus): string | undefined {
  if (trackers.length === 0 || status.peersConnected > 0) return undefined;
  // `lastError` stays until a success, so a retry in flight (`updating`) still counts as failed.
  if (!trackers.every((tracker) => tracker.lastError !== undefined)) return undefined;
  const first = trackers[0]!;
  return `bitloom: no tracker answers and no peer is connected; ${safeText(first.url)}: ${oneLine(first.lastError!.message)}`;
}
