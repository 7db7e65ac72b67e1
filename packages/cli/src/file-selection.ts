/** Parses `--select 0,2-4` / `--exclude 1` into inclusive file-index ranges (as BEP 53 `so=` has them). */
import { UsageError } from './errors.js';
import { safeText } from './format.js';

export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

const MAX_FILE_INDEX = 1_000_000;

export function parseIndexRanges(flag: string, text: string): IndexRange[] {
  const ranges: IndexRange[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d{1,7})(?:\s*-\s*(\d{1,7}))?\s*$/.exec(part);
    const start = match ? Number(match[1]) : Number.NaN;
    const end = match?.[2] !== undefined ? Number(match[2]) : start;
    if (!match || end < start || end > MAX_FILE_INDEX) {
      throw new UsageError(`${flag} ${safeText(text)}: expected file indices like 0,2-4 (see bitloom info)`);
    }
    ranges.push({ start, end });
  }
  return ranges;
}

/** The files to download out of `fileCount`, from --select (default all) minus --exclude. */
export function selectedRanges(
  fileCount: number,
  select?: string,
  exclude?: string,
): IndexRange[] | undefined {
  if (select === undefined && exclude === undefined) return undefined;
  const chosen = select ? parseIndexRanges('--select', select) : [{ start: 0, end: fileCount - 1 }];
  const excluded = exclude ? parseIndexRanges('--exclude', exclude) : [];
  const out: IndexRange[] = [];
  for (let index = 0; index < fileCount; index++) {
    const wanted =
      chosen.some((r) => index >= r.start && index <= r.end) &&
      !excluded.some((r) => index >= r.start && index <= r.end);
    if (wanted) out.push({ start: index, end: index });
  }
  return out;
}
