/**
 * The live progress display of `download` and `seed`: one line rewritten in place on a terminal, a plain line
 * every few seconds otherwise, nothing with --quiet.
 */
import type { TorrentStatus } from '@bitloom/engine';
import { formatBytes, safeText } from './format.js';

const BAR_WIDTH = 24;
const PLAIN_INTERVAL_MS = 5_000;

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line of status, e.g. `name  [#####-----]  42.0%  down 12 MiB/s  up 0 B/s  peers 3/5  ETA 4s`. */
export function statusLine(status: TorrentStatus, name: string): string {
  const filled = Math.round(status.progress * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${(status.progress * 100).toFixed(1).padStart(5)}%`;
  const remaining = status.totalBytes - status.verifiedBytes;
  const eta =
    status.state === 'downloading' && status.downloadRate > 0 ? remaining / status.downloadRate : Number.NaN;
  const state =
    status.state === 'checking' ? `checking ${status.checkedPieces}/${status.pieceCount}` : status.state;
  return [
    safeText(name),
    state,
    bar,
    percent,
    `down ${formatRate(status.downloadRate)}`,
    `up ${formatRate(status.uploadRate)}`,
    `peers ${status.peersConnected}/${status.peersKnown}`,
    status.state === 'downloading' ? `ETA ${formatDuration(eta)}` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class ProgressDisplay {
  private lastPlainAt = -Infinity;
  private drawn = false;

  constructor(
    private readonly out: ProgressSink,
    private readonly mode: 'live' | 'plain' | 'quiet',
    private readonly now: () => number,
  ) {}

  static for(out: ProgressSink, quiet: boolean, now: () => number): ProgressDisplay {
    return new ProgressDisplay(out, quiet ? 'quiet' : out.isTTY ? 'live' : 'plain', now);
  }

  update(status: TorrentStatus, name: string): void {
    if (this.mode === 'quiet') return;
    const line = statusLine(status, name);
    if (this.mode === 'live') {
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      this.out.write(`\r\x1b[2K${line.slice(0, width)}`);
      this.drawn = true;
      return;
    }
    const now = this.now();
    if (now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.lastPlainAt = now;
    this.out.write(`${line}\n`);
  }

  /** A free-form status line (e.g. while fetching metadata), drawn like a progress line. */
  note(line: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'live') {
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      this.out.write(`\r\x1b[2K${line.slice(0, width)}`);
      this.drawn = true;
      return;
    }
    this.out.write(`${line}\n`);
  }

  /** Ends the live line so later output starts on a fresh line. */
  finish(status: TorrentStatus, name: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'live') {
      this.out.write(`\r\x1b[2K${statusLine(status, name)}\n`);
      this.drawn = false;
    } else {
      this.out.write(`${statusLine(status, name)}\n`);
    }
  }

  get hasLiveLine(): boolean {
    return this.drawn;
  }
}
