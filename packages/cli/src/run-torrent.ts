/**
 * Runs one torrent in a session until it is done (or, when seeding, until SIGINT/SIGTERM), drawing progress.
 * Shared by `download`, `seed` and `demo`. A first Ctrl-C stops cleanly; a second exits at once.
 */
import type { Metainfo, Session, TorrentStatus, TrackerStatus } from '@bitloom/engine';
import { createSession } from '@bitloom/node';
import type { OutputStream } from './cli-context.js';
import { oneLine, safeText } from './format.js';
import { ProgressDisplay } from './progress-line.js';

export interface RunTorrentOptions {
  readonly metainfo: Metainfo;
  readonly savePath: string;
  readonly peers: readonly { host: string; port: number }[];
  /** Tracker tiers; default: the torrent's own. */
  readonly trackers?: readonly (readonly string[])[];
  readonly listenHost: string;
  readonly listenPort: number;
  /** Keep running after the download completes (seeding), until interrupted. */
  readonly keepSeeding: boolean;
  readonly quiet: boolean;
  readonly stderr: OutputStream & { columns?: number };
  /** Called once the session listens (e.g. to print the port). */
  readonly onListening?: (session: Session) => void;
}

export interface RunResult {
  readonly outcome: 'done' | 'interrupted' | 'error';
  readonly status: TorrentStatus;
  readonly error?: Error;
}

export async function runTorrent(options: RunTorrentOptions): Promise<RunResult> {
  const session = await createSession({ listen: { host: options.listenHost, port: options.listenPort } });
  options.onListening?.(session);
  const torrent = session.addTorrent(options.metainfo, {
    savePath: options.savePath,
    peers: options.peers,
    ...(options.trackers && { trackers: options.trackers }),
  });
  const name = options.metainfo.name;
  const display = ProgressDisplay.for(options.stderr, options.quiet, () => performance.now());
  let shownTrouble: string | undefined;
  const redraw = setInterval(
    () => {
      const status = torrent.status();
      const trouble = options.quiet ? undefined : trackerTrouble(torrent.trackers(), status);
      if (trouble !== undefined && trouble !== shownTrouble) {
        // Clear a live progress line first; the next update redraws it below.
        options.stderr.write(`${display.hasLiveLine ? '\r\x1b[2K' : ''}${trouble}\n`);
      }
      shownTrouble = trouble;
      display.update(status, name);
    },
    options.stderr.isTTY ? 250 : 1000,
  );

  let interrupts = 0;
  let onSignal: () => void = () => {};
  const signalHandler = () => onSignal();
  process.on('SIGINT', signalHandler);
  process.on('SIGTERM', signalHandler);
  const result = await new Promise<Omit<RunResult, 'status'>>((resolve) => {
    onSignal = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      resolve({ outcome: 'interrupted' });
    };
    torrent.on('done', () => {
      if (!options.keepSeeding) resolve({ outcome: 'done' });
      else display.finish(torrent.status(), name);
    });
    torrent.on('error', (error) => resolve({ outcome: 'error', error }));
  });
  clearInterval(redraw);
  const status = torrent.status();
  display.finish(status, name);
  await session.close();
  process.off('SIGINT', signalHandler);
  process.off('SIGTERM', signalHandler);
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
