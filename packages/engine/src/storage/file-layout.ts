/**
 * Where a piece's bytes live: a torrent's data is its files laid end to end (BEP 3), so a piece (or a block) can
 * span several files, and zero-length files span nothing. Pure arithmetic, binary search over file offsets.
 */

/** The part of a file a byte range covers. */
export interface FileSpan {
  readonly fileIndex: number;
  /** Offset inside the file. */
  readonly position: number;
  readonly length: number;
  /** Offset inside the range (the piece buffer). */
  readonly rangeOffset: number;
  /** BEP 47 padding: never written, reads as zeros. */
  readonly padding: boolean;
}

export interface LayoutFile {
  readonly offset: number;
  readonly length: number;
  readonly padding: boolean;
}

export class FileLayout {
  readonly totalLength: number;
  private readonly files: readonly LayoutFile[];

  constructor(
    files: readonly LayoutFile[],
    readonly pieceLength: number,
  ) {
    this.files = files;
    const last = files[files.length - 1];
    this.totalLength = last ? last.offset + last.length : 0;
  }

  get fileCount(): number {
    return this.files.length;
  }

  get pieceCount(): number {
    return Math.ceil(this.totalLength / this.pieceLength);
  }

  pieceSize(piece: number): number {
    const start = piece * this.pieceLength;
    return Math.min(this.pieceLength, this.totalLength - start);
  }

  /** The file spans covering `length` bytes at `begin` inside `piece`, in order. */
  spans(piece: number, begin: number, length: number): FileSpan[] {
    const start = piece * this.pieceLength + begin;
    const end = start + length;
    const spans: FileSpan[] = [];
    for (let i = this.firstFileAt(start); i < this.files.length; i++) {
      const file = this.files[i]!;
      if (file.offset >= end) break;
      const fileEnd = file.offset + file.length;
      if (file.length === 0 || fileEnd <= start) continue;
      const from = Math.max(start, file.offset);
      const to = Math.min(end, fileEnd);
      spans.push({
        fileIndex: i,
        position: from - file.offset,
        length: to - from,
        rangeOffset: from - start,
        padding: file.padding,
      });
    }
    return spans;
  }

  /** Pieces that hold at least one byte of file `fileIndex` (empty range for a zero-length file). */
  piecesOfFile(fileIndex: number): { first: number; last: number } {
    const file = this.files[fileIndex]!;
    if (file.length === 0) return { first: 0, last: -1 };
    return {
      first: Math.floor(file.offset / this.pieceLength),
      last: Math.floor((file.offset + file.length - 1) / this.pieceLength),
    };
  }

  /**
   * Pieces holding bytes of two or more real (not padding) files, in order: the only pieces that can be shared by
   * a selected and an unselected file. Each such piece holds the first byte of a file that is not its first.
   */
  sharedPieces(): number[] {
    const shared: number[] = [];
    let previousLastPiece = -1;
    for (let i = 0; i < this.files.length; i++) {
      const file = this.files[i]!;
      if (file.padding || file.length === 0) continue;
      const { first, last } = this.piecesOfFile(i);
      if (first === previousLastPiece && shared[shared.length - 1] !== first) shared.push(first);
      previousLastPiece = last;
    }
    return shared;
  }

  /** Index of the first file whose range could contain `position` (binary search). */
  private firstFileAt(position: number): number {
    let lo = 0;
    let hi = this.files.length - 1;
    let found = this.files.length;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const file = this.files[mid]!;
      if (file.offset + file.length > position || (file.length === 0 && file.offset >= position)) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    return found;
  }
}
