/**
 * One file of a running torrent, as `torrent.files()` hands it out: where it lies in the torrent's data, its
 * priority, and how much of it is verified (bytes of verified pieces that fall inside the file, so a piece shared
 * with a neighbour counts for both, each for its own bytes). Live getters read the torrent's state; `status()`
 * (and `toJSON`) give a plain-data snapshot; `createReadStream` reads the file while it downloads. The handle
 * knows the torrent only through `FileSource`.
 */
import type { TorrentFile as MetainfoFile } from '../metainfo/index.js';
import { type FileReadStream, type ReadStreamOptions, StreamError } from './file-read-stream.js';

/** Plain data about one file, for display and JSON. */
export interface FileStatus {
  /** Position in the torrent's file list (the index `--select` and `setFilePriorities` use). */
  readonly index: number;
  /** The path as the torrent wrote it, `/`-joined, control characters neutralised: for display only. */
  readonly path: string;
  readonly length: number;
  /** Byte offset of the file inside the torrent's concatenated data. */
  readonly offset: number;
  /** BEP 47 padding file: never written, not shown to users. */
  readonly padding: boolean;
  /** 0 = skipped, 1–7 (default 1). */
  readonly priority: number;
  /** Bytes of this file inside pieces that passed their hash check and were written. */
  readonly verifiedBytes: number;
  /** verifiedBytes / length (1 for an empty file). */
  readonly progress: number;
}

/** What a file handle needs from its torrent. */
export interface FileSource {
  readonly pieceLength: number;
  /** The piece passed its hash check and is on disk. */
  have(piece: number): boolean;
  filePriority(index: number): number;
  /** A read stream over torrent offsets [from, to). */
  openStream(from: number, to: number, options: ReadStreamOptions): FileReadStream;
}

/** Bytes of the range [offset, offset + length) that lie in pieces `have` says are had. O(pieces of the range). */
export function verifiedBytesOfRange(
  offset: number,
  length: number,
  pieceLength: number,
  have: (piece: number) => boolean,
): number {
  if (length <= 0) return 0;
  const end = offset + length;
  const first = Math.floor(offset / pieceLength);
  const last = Math.floor((end - 1) / pieceLength);
  let bytes = 0;
  for (let piece = first; piece <= last; piece++) {
    if (!have(piece)) continue;
    const pieceStart = piece * pieceLength;
    bytes += Math.min(end, pieceStart + pieceLength) - Math.max(offset, pieceStart);
  }
  return bytes;
}

export class TorrentFileHandle {
  constructor(
    protected readonly source: FileSource,
    protected readonly file: MetainfoFile,
  ) {}

  get index(): number {
    return this.file.index;
  }

  /** Display path (see `FileStatus.path`); the on-disk path is `file.path` of the info dictionary, sanitised. */
  get path(): string {
    return this.file.displayPath;
  }

  /** The file's name as stored: the last element of its sanitised path (safe in a URL or a file system). */
  get name(): string {
    return this.file.path[this.file.path.length - 1] ?? '';
  }

  get length(): number {
    return this.file.length;
  }

  get offset(): number {
    return this.file.offset;
  }

  get padding(): boolean {
    return this.file.padding;
  }

  get priority(): number {
    return this.source.filePriority(this.file.index);
  }

  get verifiedBytes(): number {
    const { offset, length } = this.file;
    return verifiedBytesOfRange(offset, length, this.source.pieceLength, (piece) => this.source.have(piece));
  }

  get progress(): number {
    return this.file.length === 0 ? 1 : this.verifiedBytes / this.file.length;
  }

  /**
   * Reads bytes `start`..`end` (inclusive; default the whole file) while the torrent downloads: the pieces
   * ahead of the reader become time-critical. See `FileReadStream`.
   * @throws StreamError `STREAM_BAD_RANGE` when start or end is not an integer inside the file, or end < start - 1.
   */
  createReadStream(options: ReadStreamOptions = {}): FileReadStream {
    const length = this.file.length;
    const start = options.start ?? 0;
    const end = options.end ?? length - 1;
    const valid =
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      start >= 0 &&
      end >= start - 1 &&
      end < length;
    if (!valid) {
      throw new StreamError(
        'STREAM_BAD_RANGE',
        `bytes ${start}-${end} are not inside a file of ${length} bytes`,
      );
    }
    return this.source.openStream(this.file.offset + start, this.file.offset + end + 1, options);
  }

  status(): FileStatus {
    const verifiedBytes = this.verifiedBytes;
    return {
      index: this.index,
      path: this.path,
      length: this.length,
      offset: this.offset,
      padding: this.padding,
      priority: this.priority,
      verifiedBytes,
      progress: this.length === 0 ? 1 : verifiedBytes / this.length,
    };
  }

  toJSON(): FileStatus {
    return this.status();
  }
}
