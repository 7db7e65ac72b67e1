/**
 * File priorities mapped onto pieces (file selection, BEP 53 `so=`): a piece gets the highest priority of the
 * files it holds bytes of, so a piece shared by a wanted and a skipped file is still downloaded. Pure.
 */
import type { FileLayout } from '../storage/file-layout.js';

export interface PrioritisedFile {
  readonly length: number;
  readonly padding: boolean;
}

/** Piece priorities (0–7) from file priorities (missing entries count as 1, values clamped to 0–7). */
export function piecePriorities(
  files: readonly PrioritisedFile[],
  layout: FileLayout,
  priorities: readonly number[],
): Uint8Array {
  const out = new Uint8Array(layout.pieceCount);
  files.forEach((file, index) => {
    if (file.padding || file.length === 0) return;
    const priority = filePriority(priorities, index);
    const { first, last } = layout.piecesOfFile(index);
    for (let piece = first; piece <= last; piece++) out[piece] = Math.max(out[piece]!, priority);
  });
  return out;
}

/** The priority of file `index` in a caller's list: missing entries count as 1, values clamped to 0–7. */
export function filePriority(priorities: readonly number[], index: number): number {
  const value = Math.trunc(priorities[index] ?? 1);
  return Number.isNaN(value) ? 1 : Math.max(0, Math.min(7, value));
}

/** File priorities that select the files in these inclusive index ranges (1) and skip the rest (0). */
export function selectionPriorities(
  fileCount: number,
  ranges: readonly { start: number; end: number }[],
): number[] {
  return Array.from({ length: fileCount }, (_, index) =>
    ranges.some((r) => index >= r.start && index <= r.end) ? 1 : 0,
  );
}
