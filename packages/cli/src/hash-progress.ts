/**
 * The one-line "hashing 42%" display of `bitloom create`, redrawn in place on a terminal. It draws only on a
 * TTY and only for inputs large enough to take a moment: logs and pipes get the final result alone.
 */
import type { OutputStream } from './cli-context.js';
import { formatBytes } from './format.js';

/** Inputs smaller than this hash in well under a second: no progress line. */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

export interface HashProgress {
  /** Called with the bytes hashed so far; redraws when the whole percentage changes. */
  update(hashedBytes: number, totalBytes: number): void;
  /** Clears the line. */
  finish(): void;
}

const NO_PROGRESS: HashProgress = { update: () => undefined, finish: () => undefined };

export function hashProgress(stream: OutputStream, totalBytes: number): HashProgress {
  if (stream.isTTY !== true || totalBytes < PROGRESS_MIN_BYTES) return NO_PROGRESS;
  let shownPercent = -1;
  let drawn = false;
  return {
    update(hashedBytes, total) {
      const percent = Math.floor((hashedBytes / total) * 100);
      if (percent === shownPercent) return;
      shownPercent = percent;
      drawn = true;
      stream.write(
        `\r\x1b[Khashing ${String(percent).padStart(3)}%  ${formatBytes(hashedBytes)} of ${formatBytes(total)}`,
      );
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
