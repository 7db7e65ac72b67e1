/**
 * Pieces on top of a torrent's files: writes a verified piece with one positional write per file it spans,
 * reads blocks for upload, and checks existing data on start. Padding files (BEP 47) are never written.
 *
 * Unselected files are never created. A file of priority 0 that does not exist yet is "parted": its bytes of a
 * piece it shares with a selected file go to the part file (part-file.ts), which holds that whole piece, and are
 * read from there. When the file is selected again its bytes move from the part file into the real file. (A file
 * that already exists when it is unselected keeps being written in place, as in libtorrent.)
 */
import { equalBytes } from '../bytes.js';
import { type Hasher, sha1Moving } from '../platform/hasher.js';
import { type Storage, type TorrentFiles, writeMoving } from '../platform/storage.js';
import type { FileLayout, FileSpan } from './file-layout.js';
import { IoGate } from './io-gate.js';
import { PartFile } from './part-file.js';

/** One file of the torrent as piece storage needs it. */
export interface PieceStorageFile {
  readonly path: readonly string[];
  readonly length: number;
  readonly padding: boolean;
}

/** What `PieceStorage.writePiece` hands back: whether the piece is kept, and its bytes. */
export interface WrittenPiece {
  readonly stored: boolean;
  readonly data: Uint8Array;
}

/** What `PieceStorage.verifyAndWrite` hands back: whether the piece matched its hash, whether it is kept, its bytes. */
export interface VerifiedPiece {
  readonly valid: boolean;
  readonly stored: boolean;
  readonly data: Uint8Array;
}

export class PieceStorage {
  readonly #gate = new IoGate();
  /** Per file: its bytes go to the part file. */
  readonly #parted: boolean[];
  /** False until the part file's pieces were first matched against the parted files. */
  #reconciled = false;

  constructor(
    private readonly files: TorrentFiles,
    readonly layout: FileLayout,
    private readonly fileList: readonly PieceStorageFile[] = [],
    private readonly part?: PartFile,
    /** Hash-checks a piece read back from the part file before its bytes move into a real file. */
    private readonly verify: (piece: number, data: Uint8Array) => Promise<boolean> = async () => false,
  ) {
    this.#parted = fileList.map(() => false);
  }

  /** Opens a torrent's files below `root`, and its part file when a piece can hold two files. */
  static async open(
    storage: Storage,
    root: string,
    torrent: { readonly infoHashHex: string; readonly files: readonly PieceStorageFile[] },
    layout: FileLayout,
    options: { readonly verify: (piece: number, data: Uint8Array) => Promise<boolean> },
  ): Promise<PieceStorage> {
    const fileList = torrent.files;
    const specs = fileList.map((f) => ({ path: f.path, length: f.length, padding: f.padding }));
    const partSpec = PartFile.spec(torrent.infoHashHex, layout);
    const files = await storage.open(root, partSpec ? [...specs, partSpec] : specs);
    try {
      const part = partSpec ? await PartFile.open(files, specs.length, layout) : undefined;
      return new PieceStorage(files, layout, fileList, part, options.verify);
    } catch (error) {
      await files.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Writes a whole verified piece. The caller gives `data` up and goes on with the returned `data` (a piece that
   * lies in one file is moved to the storage and back: see `TorrentFiles.writeMoving`). Resolves once every span
   * has been handed to the storage, with `stored` true, or false when the piece lies in parted files only and has
   * no part-file slot (it arrived after its file was unselected), so it is not stored and must not count as had.
   */
  writePiece(piece: number, data: Uint8Array): Promise<WrittenPiece> {
    return this.#gate.shared(() => this.#writePiece(piece, data));
  }

  /** The storage hashes the pieces it writes whole into one file (`TorrentFiles.writeVerified`). */
  get hashesWrites(): boolean {
    return this.files.writeVerified !== undefined;
  }

  /**
   * Writes a whole piece, like `writePiece`, if its SHA-1 is `expected`; `valid` says whether it was. A piece that
   * lies in one file goes to `TorrentFiles.writeVerified` when the storage has it (hashed on its way to disk);
   * otherwise `hasher` hashes it first, and it is written only if `proceed()` still says so then.
   */
  verifyAndWrite(
    piece: number,
    data: Uint8Array,
    expected: Uint8Array,
    hasher: Hasher,
    proceed: () => boolean,
  ): Promise<VerifiedPiece> {
    return this.#gate.shared(async () => {
      const only = this.#wholeInOneFile(piece, data.length);
      if (only !== undefined && this.files.writeVerified) {
        const { written, data: back } = await this.files.writeVerified(
          only.fileIndex,
          only.position,
          data,
          expected,
        );
        return { valid: written, stored: written, data: back };
      }
      const { digest, data: hashed } = await sha1Moving(hasher, data);
      const valid = equalBytes(digest, expected);
      if (!valid || !proceed()) return { valid, stored: false, data: hashed };
      return { valid: true, ...(await this.#writePiece(piece, hashed)) };
    });
  }

  async #writePiece(piece: number, data: Uint8Array): Promise<WrittenPiece> {
    const only = this.#wholeInOneFile(piece, data.length);
    if (only !== undefined) {
      return { stored: true, data: await writeMoving(this.files, only.fileIndex, only.position, data) };
    }
    const writes: Promise<void>[] = [];
    let toPart = false;
    for (const span of this.layout.spans(piece, 0, data.length)) {
      if (span.padding) continue;
      if (this.#parted[span.fileIndex]) {
        toPart = true;
        continue;
      }
      writes.push(this.files.write(span.fileIndex, span.position, this.#slice(data, span)));
    }
    if (toPart) {
      if (!this.part?.hasSlotFor(piece)) return { stored: false, data };
      writes.push(this.part.write(piece, data));
    }
    await Promise.all(writes);
    return { stored: true, data };
  }

  /** The piece's one span when it lies whole in one real file that is not parted. */
  #wholeInOneFile(piece: number, length: number): FileSpan | undefined {
    const spans = this.layout.spans(piece, 0, length);
    const only = spans.length === 1 ? spans[0]! : undefined;
    return only !== undefined && !only.padding && !this.#parted[only.fileIndex] ? only : undefined;
  }

  /** Tells the storage that pieces will be written soon (see `TorrentFiles.prepareWrites`). */
  prepareWrites(): void {
    this.files.prepareWrites?.();
  }

  /** Reads `length` bytes at `begin` inside `piece`; into the start of `into` when given (see TorrentFiles). */
  read(piece: number, begin: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    return this.#gate.shared(async () => {
      const spans = this.layout.spans(piece, begin, length);
      if (spans.length === 1 && !spans[0]!.padding) return this.#readSpan(piece, begin, spans[0]!, into);
      const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
      await Promise.all(
        spans.map(async (span) => {
          const target = out.subarray(span.rangeOffset, span.rangeOffset + span.length);
          if (span.padding) target.fill(0);
          else await this.#readSpan(piece, begin, span, target);
        }),
      );
      return out;
    });
  }

  /**
   * Applies file priorities (0 = skip; missing entries count as wanted): an unselected file that does not exist
   * becomes parted, a parted file that is selected again gets its bytes back from the part file (only from pieces
   * that still verify), part-file slots no parted file needs are freed, and wanted zero-length files are created.
   * Runs alone: writes and reads wait for it.
   */
  applyPriorities(priorities: readonly number[]): Promise<void> {
    return this.#gate.exclusive(async () => {
      const selectedAgain = new Set<number>();
      for (const [index, file] of this.fileList.entries()) {
        if (file.padding) continue;
        const wanted = (priorities[index] ?? 1) > 0;
        if (wanted && this.#parted[index]) {
          this.#parted[index] = false;
          selectedAgain.add(index);
        } else if (!wanted && !this.#parted[index] && (await this.files.size(index)) < 0) {
          this.#parted[index] = true;
        }
      }
      if (this.part) await this.#reconcile(this.part, selectedAgain);
      this.#reconciled = true;
      for (const [index, file] of this.fileList.entries()) {
        if (
          file.length === 0 &&
          !file.padding &&
          !this.#parted[index] &&
          (await this.files.size(index)) < 0
        ) {
          await this.files.write(index, 0, new Uint8Array(0));
        }
      }
    });
  }

  /** Whether file `index` is kept out of the file system (its shared pieces live in the part file). */
  isParted(index: number): boolean {
    return this.#parted[index] === true;
  }

  /**
   * Hashes the data already on disk and reports each piece that verifies. Pieces whose files are missing or too
   * short (or not in the part file) are skipped without reading.
   */
  async checkExisting(
    hasher: Hasher,
    expectedHash: (piece: number) => Uint8Array,
    onVerified: (piece: number) => void,
    /** How many pieces have been checked so far (they finish out of order). */
    onProgress?: (checkedPieces: number) => void,
    signal?: AbortSignal,
    /** Check only the pieces this accepts (default: all). */
    only?: (piece: number) => boolean,
  ): Promise<void> {
    const fileCount = this.layout.fileCount;
    const sizes: number[] = [];
    for (let i = 0; i < fileCount; i++) sizes.push(await this.files.size(i));
    const pieceCount = this.layout.pieceCount;
    // A few pieces in flight so a parallel hasher stays busy while the next piece is read. Their buffers are
    // reused: a fresh buffer per piece cost page faults and garbage for every byte checked.
    const inFlight = new Set<Promise<void>>();
    const spare: Uint8Array[] = [];
    const fullLength = this.layout.pieceLength;
    let checked = 0;
    for (let piece = 0; piece < pieceCount; piece++) {
      if (signal?.aborted) return;
      if (only && !only(piece)) continue;
      const size = this.layout.pieceSize(piece);
      const spans = this.layout.spans(piece, 0, size);
      const present = spans.every(
        (s) =>
          s.padding ||
          (this.#parted[s.fileIndex]
            ? this.part?.has(piece) === true
            : (sizes[s.fileIndex] ?? -1) >= s.position + s.length),
      );
      if (!present) {
        onProgress?.(++checked);
        continue;
      }
      hasher.prepare?.(); // there is data to hash: let the hasher start up while it is read (then a no-op)
      const task = (async () => {
        try {
          const into = size === fullLength ? (spare.pop() ?? new Uint8Array(size)) : undefined;
          const { digest, data } = await sha1Moving(hasher, await this.read(piece, 0, size, into));
          if (data.length === fullLength) spare.push(data);
          if (equalBytes(digest, expectedHash(piece))) onVerified(piece);
        } catch {
          // unreadable data is simply not had
        }
        onProgress?.(++checked);
      })();
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  /** True when the piece's data on disk matches `expected` (false when it cannot be read). */
  async pieceMatches(piece: number, hasher: Hasher, expected: Uint8Array): Promise<boolean> {
    try {
      const { digest } = await sha1Moving(hasher, await this.read(piece, 0, this.layout.pieceSize(piece)));
      return equalBytes(digest, expected);
    } catch {
      return false;
    }
  }

  /**
   * Each file's size (-1: missing) and modification time (ms; 0 when the storage cannot tell), then the part
   * file's when the torrent has one. Runs alone, after the writes in flight, so they are all included.
   */
  fileStates(): Promise<{ size: number; mtime: number }[]> {
    return this.#gate.exclusive(async () => {
      const states: { size: number; mtime: number }[] = [];
      const count = this.layout.fileCount + (this.part ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const size = await this.files.size(i);
        const mtime = size < 0 ? -1 : this.files.modifiedTime ? await this.files.modifiedTime(i) : 0;
        states.push({ size, mtime });
      }
      return states;
    });
  }

  flush(): Promise<void> {
    return this.files.flush();
  }

  close(): Promise<void> {
    return this.files.close();
  }

  /**
   * Moves out of the part file the spans of files no longer parted (all of them the first time, when what the
   * part file holds is not known yet; afterwards those of files selected again), and frees the slots no parted
   * file needs. A slot whose piece does not verify is dropped.
   */
  async #reconcile(part: PartFile, selectedAgain: ReadonlySet<number>): Promise<void> {
    for (const piece of part.pieces()) {
      const size = this.layout.pieceSize(piece);
      const spans = this.layout.spans(piece, 0, size).filter((s) => !s.padding);
      const stillNeeded = spans.some((s) => this.#parted[s.fileIndex]);
      const moveOut = spans.filter(
        (s) => !this.#parted[s.fileIndex] && (!this.#reconciled || selectedAgain.has(s.fileIndex)),
      );
      if (moveOut.length > 0) {
        const data = await part.read(piece, 0, size).catch(() => undefined);
        if (data === undefined || !(await this.verify(piece, data))) {
          await part.free(piece);
          continue;
        }
        for (const span of moveOut)
          await this.files.write(span.fileIndex, span.position, this.#slice(data, span));
      }
      if (!stillNeeded) await part.free(piece);
    }
  }

  async #readSpan(piece: number, begin: number, span: FileSpan, into?: Uint8Array): Promise<Uint8Array> {
    if (this.#parted[span.fileIndex] && this.part) {
      const data = await this.part.read(piece, begin + span.rangeOffset, span.length);
      if (into === undefined) return data;
      into.set(data);
      return into.subarray(0, data.length);
    }
    return this.files.read(span.fileIndex, span.position, span.length, into);
  }

  #slice(data: Uint8Array, span: FileSpan): Uint8Array {
    return data.subarray(span.rangeOffset, span.rangeOffset + span.length);
  }
}
