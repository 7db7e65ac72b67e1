/**
 * Decides how much of a resume record to believe, given the files as they are now. Pure: plain data in, a plan
 * out, or a `ResumeError` when the record as a whole cannot be used (then every piece is hash-checked).
 *
 * A file whose size and modification time are what the record saved is trusted: its recorded pieces count as
 * verified, its other pieces as not written. A file that changed in any way since (written after the record —
 * by us before a crash, or by someone copying data in —, truncated, deleted) is not trusted: every piece that
 * touches it is hash-checked, so data written since is adopted and data lost since is fetched again. A few
 * trusted pieces are hashed anyway (a spot check), so a record that lies wholesale is caught.
 */
import { equalBytes } from '../bytes.js';
import type { InfoDictionary } from '../metainfo/index.js';
import { Bitfield } from '../pieces/bitfield.js';
import { type Random, randomInt } from '../platform/random.js';
import type { FileLayout } from '../storage/file-layout.js';
import type { ResumeData, ResumeFileState } from './resume-data.js';
import { ResumeError } from './resume-error.js';

const MISSING: ResumeFileState = { size: -1, mtime: -1 };

/** Trusted pieces hashed anyway on every resume, picked at random. */
export const SPOT_CHECK_PIECES = 4;

export interface ResumePlan {
  /** Pieces taken as verified from the record (none in a file that changed since). */
  readonly trusted: Bitfield;
  /** Pieces to hash-check now: every piece touching a file that changed since the record. */
  readonly check: readonly number[];
  /** Trusted pieces to hash anyway; one failing means the record lied and everything is checked. */
  readonly spotCheck: readonly number[];
  /** The files that changed since the record, and how (`file 2 was deleted`). */
  readonly changedFiles: readonly string[];
}

export interface ResumeTarget {
  readonly info: InfoDictionary;
  readonly savePath: string;
  readonly layout: FileLayout;
}

/** @throws ResumeError when the record does not belong to this torrent and folder, or a file lost data. */
export function planResume(
  data: ResumeData,
  target: ResumeTarget,
  current: readonly ResumeFileState[],
  random: Random,
): ResumePlan {
  const { info } = target;
  if (!equalBytes(data.infoHash, info.infoHash)) {
    throw new ResumeError('RESUME_MISMATCH', 'resume data is for another torrent (info-hash differs)');
  }
  if (!equalBytes(data.infoBytes, info.infoBytes)) {
    throw new ResumeError('RESUME_MISMATCH', 'resume data holds a different info dictionary');
  }
  if (data.savePath !== target.savePath) {
    throw new ResumeError('RESUME_MISMATCH', 'resume data is for another download folder');
  }
  // One entry per file, and one more for the part file when the torrent has one.
  const fileCount = info.files.length;
  if (data.files.length < fileCount || data.files.length > fileCount + 1 || current.length < fileCount) {
    throw new ResumeError('RESUME_MISMATCH', 'resume data has a different number of files');
  }
  let trusted: Bitfield;
  try {
    trusted = Bitfield.fromBytes(data.pieces, info.pieceCount);
  } catch (error) {
    throw new ResumeError('RESUME_MALFORMED', 'resume data: the piece bitfield does not fit the torrent', {
      cause: error,
    });
  }
  const changedFiles: string[] = [];
  const check = new Set<number>();
  const distrust = (piece: number) => {
    check.add(piece);
    if (trusted.get(piece)) trusted.clear(piece);
  };
  for (let file = 0; file < fileCount; file++) {
    const saved = data.files[file]!;
    const now = current[file]!;
    if (saved.size === now.size && saved.mtime === now.mtime) continue;
    changedFiles.push(`file ${file} ${describeChange(saved, now)}`);
    const { first, last } = target.layout.piecesOfFile(file);
    for (let piece = first; piece <= last; piece++) distrust(piece);
  }
  // The part file holds the bytes of unselected files that were never created: if it changed, every piece
  // touching a file that does not exist is checked.
  const savedPart = data.files[fileCount] ?? MISSING;
  const nowPart = current[fileCount] ?? MISSING;
  if (savedPart.size !== nowPart.size || savedPart.mtime !== nowPart.mtime) {
    changedFiles.push(`the part file ${describeChange(savedPart, nowPart)}`);
    for (let file = 0; file < fileCount; file++) {
      if (current[file]!.size >= 0) continue;
      const { first, last } = target.layout.piecesOfFile(file);
      for (let piece = first; piece <= last; piece++) distrust(piece);
    }
  }
  const allTrusted: number[] = [];
  for (let piece = 0; piece < info.pieceCount; piece++) if (trusted.get(piece)) allTrusted.push(piece);
  const spotCheck = pickSome(allTrusted, SPOT_CHECK_PIECES, random);
  return {
    trusted,
    check: [...check].sort((a, b) => a - b),
    spotCheck: spotCheck.sort((a, b) => a - b),
    changedFiles,
  };
}

function describeChange(saved: ResumeFileState, now: ResumeFileState): string {
  if (now.size < 0) return 'was deleted';
  if (saved.size < 0) return 'appeared';
  if (now.size !== saved.size) return `changed size (${saved.size} → ${now.size} bytes)`;
  return 'was modified';
}

/** Up to `count` distinct items, chosen at random. */
function pickSome(items: readonly number[], count: number, random: Random): number[] {
  if (items.length <= count) return [...items];
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(items[randomInt(random, items.length)]!);
  return [...chosen];
}
