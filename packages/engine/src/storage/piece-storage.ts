/**
 * Pieces on top of a torrent's files: writes a verified piece with one positional write per file it spans,
 * reads blocks for upload, and checks existing data on start. Padding files (BEP 47) are never written.
 */
import { equalBytes } from '../bytes.js';
import type { Hasher } from '../platform/hasher.js';
import type { TorrentFiles } from '../platform/storage.js';
import type { FileLayout } from './file-layout.js';

export class PieceStorage {
  constructor(
    private readonly files: TorrentFiles,
    readonly layout: FileLayout,
  ) {}

  /** Writes a whole piece. Resolves once every span has been handed to the storage. */
  async writePiece(piece: number, data: Uint8Array): Promise<void> {
    const spans = this.layout.spans(piece, 0, data.length);
    const writes: Promise<void>[] = [];
    for (const span of spans) {
      if (span.padding) continue;
      writes.push(
        this.files.write(
          span.fileIndex,
          span.position,
          data.subarray(span.rangeOffset, span.rangeOffset + span.length),
        ),
      );
    }
    await Promise.all(writes);
  }

  /** Reads `length` bytes at `begin` inside `piece`. */
  async read(piece: number, begin: number, length: number): Promise<Uint8Array> {
    const spans = this.layout.spans(piece, begin, length);
    if (spans.length === 1 && !spans[0]!.padding) {
      const span = spans[0]!;
      return this.files.read(span.fileIndex, span.position, span.length);
    }
    const out = new Uint8Array(length);
    await Promise.all(
      spans.map(async (span) => {
        if (span.padding) return; // zeros
        const bytes = await this.files.read(span.fileIndex, span.position, span.length);
        out.set(bytes, span.rangeOffset);
      }),
    );
    return out;
  }

  /** Creates the zero-length files, which no piece write ever touches. */
  async createEmptyFiles(fileLengths: readonly { length: number; padding: boolean }[]): Promise<void> {
    for (let i = 0; i < fileLengths.length; i++) {
      const file = fileLengths[i]!;
      if (file.length === 0 && !file.padding && (await this.files.size(i)) < 0) {
        await this.files.write(i, 0, new Uint8Array(0));
      }
    }
  }

  /**
   * Hashes the data already on disk and reports each piece that verifies. Pieces whose files are missing or too
   * short are skipped without reading.
   */
  async checkExisting(
    hasher: Hasher,
    expectedHash: (piece: number) => Uint8Array,
    onVerified: (piece: number) => void,
    /** How many pieces have been checked so far (they finish out of order). */
    onProgress?: (checkedPieces: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const fileCount = this.layout.fileCount;
    const sizes: number[] = [];
    for (let i = 0; i < fileCount; i++) sizes.push(await this.files.size(i));
    const pieceCount = this.layout.pieceCount;
    // A few pieces in flight so a parallel hasher stays busy while the next piece is read.
    const inFlight = new Set<Promise<void>>();
    let checked = 0;
    for (let piece = 0; piece < pieceCount; piece++) {
      if (signal?.aborted) return;
      const size = this.layout.pieceSize(piece);
      const spans = this.layout.spans(piece, 0, size);
      const present = spans.every((s) => s.padding || (sizes[s.fileIndex] ?? -1) >= s.position + s.length);
      if (!present) {
        onProgress?.(++checked);
        continue;
      }
      const task = (async () => {
        try {
          const data = await this.read(piece, 0, size);
          const digest = await hasher.sha1(data);
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

  flush(): Promise<void> {
    return this.files.flush();
  }

  close(): Promise<void> {
    return this.files.close();
  }
}
