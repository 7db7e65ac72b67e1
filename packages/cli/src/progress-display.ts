/**
 * Draws the progress of `download` and `seed` on stderr: on a terminal a frame (the status line, and with
 * `--files` one line per file) redrawn in place; otherwise a plain line every few seconds, each followed by the
 * files that moved since; nothing with --quiet. What the lines say is in progress-line.ts and files-table.ts;
 * this class only decides when to write and how to replace what it wrote.
 */
import type { TorrentStatus } from '@bitloom/engine';
import { changedFiles, type FileView, fileLines } from './files-table.js';
import { type MetadataFetchView, metadataLine, plainLine, statusLines } from './progress-line.js';

/** A plain line at most this often: a log gets a line every few seconds, not four a second. */
export const PLAIN_INTERVAL_MS = 5_000;
const DEFAULT_COLUMNS = 100;
const DEFAULT_ROWS = 24;

// Autowrap off while a frame is written: a line the width estimate got wrong is clipped, not wrapped, so the
// cursor-up count of the next redraw stays right.
const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';
const CLEAR_LINE = '\r\x1b[2K';
const CLEAR_TO_END = '\x1b[J';

export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): unknown;
}

export type DisplayMode = 'live' | 'plain' | 'quiet';

export class ProgressDisplay {
  private lastPlainAt = Number.NEGATIVE_INFINITY;
  /** Lines of the frame on screen now (live mode); 0 when none. */
  private drawnLines = 0;
  private lastFrame: readonly string[] = [];
  private readonly plainFileBytes = new Map<number, number>();

  constructor(
    private readonly out: ProgressSink,
    readonly mode: DisplayMode,
    private readonly now: () => number,
  ) {}

  static for(out: ProgressSink, quiet: boolean, now: () => number): ProgressDisplay {
    return new ProgressDisplay(out, quiet ? 'quiet' : out.isTTY ? 'live' : 'plain', now);
  }

  private get width(): number {
    // Some terminals (and ptys without a size) report 0: use the default then.
    return Math.max(20, (this.out.columns || DEFAULT_COLUMNS) - 1);
  }

  /** Redraws (live) or, when due, prints (plain) the torrent's status and, given `files`, theirs. */
  update(status: TorrentStatus, name: string, files?: readonly FileView[]): void {
    if (this.mode === 'live') {
      this.draw(this.liveFrame(status, name, files));
      return;
    }
    if (this.mode === 'quiet') return;
    const now = this.now();
    if (now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.lastPlainAt = now;
    this.printPlain(status, name, files);
  }

  /** While a magnet link's metadata is being fetched. */
  metadata(view: MetadataFetchView): void {
    if (this.mode === 'live') {
      this.draw([metadataLine(view, this.width)]);
      return;
    }
    if (this.mode === 'quiet') return;
    const now = this.now();
    if (now - this.lastPlainAt < PLAIN_INTERVAL_MS) return;
    this.lastPlainAt = now;
    this.out.write(`${metadataLine(view)}\n`);
  }

  /** A line of its own (a warning, "stopping…"), above the live frame, which is drawn again below it. */
  message(line: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') {
      this.out.write(`${line}\n`);
      return;
    }
    const frame = this.lastFrame;
    this.out.write(`${this.erase()}${line}\n`);
    this.drawnLines = 0;
    if (frame.length > 0) this.draw(frame);
  }

  /**
   * The last state, left on screen (live) or printed with every file (plain), so later output starts on a
   * fresh line.
   */
  finish(status: TorrentStatus, name: string, files?: readonly FileView[]): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') {
      this.printPlain(status, name, files, true);
      return;
    }
    this.draw(this.liveFrame(status, name, files));
    this.out.write('\n');
    this.drawnLines = 0;
    this.lastFrame = [];
  }

  /** Removes the live frame (before something else writes to the terminal). */
  clear(): void {
    if (this.mode !== 'live' || this.drawnLines === 0) return;
    this.out.write(this.erase());
    this.drawnLines = 0;
    this.lastFrame = [];
  }

  private liveFrame(status: TorrentStatus, name: string, files?: readonly FileView[]): string[] {
    const frame = statusLines(status, name, this.width);
    // Keep the frame shorter than the screen: a frame that scrolls cannot be redrawn in place.
    const rows = Math.max(frame.length + 1, (this.out.rows || DEFAULT_ROWS) - 2);
    if (files) frame.push(...fileLines(files, this.width, rows - frame.length));
    return frame;
  }

  /** The status line, then the files that moved since the last one (`all`: every file, for the last word). */
  private printPlain(status: TorrentStatus, name: string, files?: readonly FileView[], all = false): void {
    let text = `${plainLine(status, name)}\n`;
    if (files) {
      const moved = all ? files : changedFiles(files, this.plainFileBytes);
      for (const file of moved) this.plainFileBytes.set(file.index, file.verifiedBytes);
      for (const line of fileLines(moved)) text += `  ${line}\n`;
    }
    this.out.write(text);
  }

  private draw(frame: readonly string[]): void {
    this.out.write(`${WRAP_OFF}${this.erase()}${frame.join('\n')}${WRAP_ON}`);
    this.drawnLines = frame.length;
    this.lastFrame = frame;
  }

  /** Moves to the start of the frame on screen and clears from there down. */
  private erase(): string {
    if (this.drawnLines === 0) return CLEAR_LINE;
    const up = this.drawnLines > 1 ? `\x1b[${this.drawnLines - 1}A` : '';
    return `\r${up}${CLEAR_TO_END}`;
  }
}
