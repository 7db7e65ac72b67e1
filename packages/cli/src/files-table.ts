/**
 * The per-file progress of `download --files`, as pure functions of the files' status: one line per file with
 * its index (as `bitloom info` and `--select` number them), a bar, its verified bytes and its path. With more
 * files than lines to spare, the files still to come are shown first and the rest summed up on one line.
 */
import { formatBytes, safeText } from './format.js';
import { formatPercent, progressBar } from './progress-line.js';
import { padToWidth, truncateToWidth } from './text-width.js';

const FILE_BAR_WIDTH = 10;

/** What the table needs of a file (the engine's `FileStatus` has these fields). */
export interface FileView {
  readonly index: number;
  /** Display path from the torrent; neutralised again here, since it came from the network. */
  readonly path: string;
  readonly length: number;
  /** BEP 47 padding files are never shown. */
  readonly padding: boolean;
  /** 0: skipped (not selected). */
  readonly priority: number;
  readonly verifiedBytes: number;
}

function fraction(file: FileView): number {
  return file.length === 0 ? 1 : file.verifiedBytes / file.length;
}

/**
 * The table as lines of at most `width` columns, at most `maxLines` of them (at least 1). Files are kept in
 * torrent order; when they do not all fit, complete and skipped files make room first.
 */
export function fileLines(
  files: readonly FileView[],
  width = Number.POSITIVE_INFINITY,
  maxLines = Number.POSITIVE_INFINITY,
): string[] {
  const shown = files.filter((file) => !file.padding);
  let listed = shown;
  if (shown.length > maxLines) {
    const room = Math.max(0, maxLines - 1);
    const pending = (file: FileView) => file.priority > 0 && fraction(file) < 1;
    const keep = new Set(
      [...shown.filter(pending), ...shown.filter((file) => !pending(file))].slice(0, room),
    );
    listed = shown.filter((file) => keep.has(file));
  }
  const indexWidth = String(shown.reduce((max, file) => Math.max(max, file.index), 0)).length;
  const sizes = listed.map((file) => `${formatBytes(file.verifiedBytes)} of ${formatBytes(file.length)}`);
  const sizeWidth = sizes.reduce((max, size) => Math.max(max, size.length), 0);
  const lines = listed.map((file, i) => {
    const progress =
      file.priority === 0
        ? padToWidth('skipped', FILE_BAR_WIDTH + 2 + 2 + 6)
        : `${progressBar(fraction(file), FILE_BAR_WIDTH)}  ${formatPercent(fraction(file)).padStart(6)}`;
    const line = `${String(file.index).padStart(indexWidth)}  ${progress}  ${padToWidth(sizes[i]!, sizeWidth)}  ${safeText(file.path)}`;
    return truncateToWidth(line, width);
  });
  const hidden = shown.length - listed.length;
  if (hidden > 0) {
    const listedSet = new Set(listed);
    const complete = shown.filter((file) => !listedSet.has(file) && fraction(file) >= 1).length;
    lines.push(truncateToWidth(`… ${hidden} more files (${complete} of them complete)`, width));
  }
  return lines;
}

/** The files whose verified bytes changed since `before` (by index), for the plain display's updates. */
export function changedFiles(files: readonly FileView[], before: ReadonlyMap<number, number>): FileView[] {
  return files.filter((file) => !file.padding && before.get(file.index) !== file.verifiedBytes);
}
