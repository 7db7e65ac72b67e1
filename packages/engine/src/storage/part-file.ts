/**
 * The part file (libtorrent's `.parts`): where a piece shared by a selected and an unselected file keeps its
 * bytes, so it can be written, verified, served and checked again on restart without creating the unselected file.
 * It is one more file of the torrent, `.<infohash>.parts` in the save path:
 *
 *   header: "BLPF", version (1), piece length, slot count (u32 big-endian each), then one u32 per slot: the
 *           piece it holds + 1, or 0 when free; the slots start at the next multiple of 4096 bytes
 *   slots:  one piece length each; a slot holds the whole verified piece
 *
 * Only pieces holding bytes of two or more files can ever need a slot, so the slot count is fixed by the torrent.
 * Slots are used lowest first and the file only grows as they are; it is created on the first write and removed
 * when its last slot is freed. A header that does not match the torrent is discarded (its pieces are fetched
 * again); every slot's bytes are hash-checked before they are trusted.
 */
import { BitloomError } from '../errors.js';
import type { StorageFileSpec, TorrentFiles } from '../platform/storage.js';
import type { FileLayout } from './file-layout.js';

const MAGIC = 0x424c5046; // "BLPF"
const VERSION = 1;
const FIXED_HEADER = 16;
const DATA_ALIGNMENT = 4096;

/** The part file's name in the save path. */
export function partFileName(infoHashHex: string): string {
  return `.${infoHashHex}.parts`;
}

interface Geometry {
  readonly sharedPieces: ReadonlySet<number>;
  readonly slotCount: number;
  readonly headerLength: number;
  readonly dataStart: number;
  readonly length: number;
}

function geometryOf(layout: FileLayout): Geometry {
  const shared = layout.sharedPieces();
  const headerLength = FIXED_HEADER + 4 * shared.length;
  const dataStart = Math.ceil(headerLength / DATA_ALIGNMENT) * DATA_ALIGNMENT;
  return {
    sharedPieces: new Set(shared),
    slotCount: shared.length,
    headerLength,
    dataStart,
    length: dataStart + shared.length * layout.pieceLength,
  };
}

export class PartFile {
  readonly #files: TorrentFiles;
  readonly #fileIndex: number;
  readonly #layout: FileLayout;
  readonly #geometry: Geometry;
  readonly #slotOf = new Map<number, number>();
  /** The piece in each slot; -1 when free. */
  readonly #pieceIn: Int32Array;
  /** False until the header is on disk (a new or discarded file). */
  #headerWritten = false;
  /** Part-file I/O runs one operation at a time: header entries and slot data stay in a known order. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(files: TorrentFiles, fileIndex: number, layout: FileLayout, geometry: Geometry) {
    this.#files = files;
    this.#fileIndex = fileIndex;
    this.#layout = layout;
    this.#geometry = geometry;
    this.#pieceIn = new Int32Array(geometry.slotCount).fill(-1);
  }

  /** The storage spec of the part file, or undefined when no piece of this torrent holds two files. */
  static spec(infoHashHex: string, layout: FileLayout): StorageFileSpec | undefined {
    const geometry = geometryOf(layout);
    if (geometry.slotCount === 0) return undefined;
    return { path: [partFileName(infoHashHex)], length: geometry.length, grows: true };
  }

  /** Reads the header of an existing part file (file `fileIndex` of `files`), or starts an empty one. */
  static async open(files: TorrentFiles, fileIndex: number, layout: FileLayout): Promise<PartFile> {
    const part = new PartFile(files, fileIndex, layout, geometryOf(layout));
    await part.#load();
    return part;
  }

  /** Whether the piece holds bytes of two or more files, so it can have a slot. */
  hasSlotFor(piece: number): boolean {
    return this.#geometry.sharedPieces.has(piece);
  }

  has(piece: number): boolean {
    return this.#slotOf.has(piece);
  }

  /** The pieces stored, in slot order. */
  pieces(): number[] {
    return [...this.#pieceIn].filter((piece) => piece >= 0);
  }

  /** Stores a whole verified piece (a shared piece only). */
  write(piece: number, data: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      if (!this.#geometry.sharedPieces.has(piece)) {
        throw new BitloomError(
          'STORAGE_BAD_SPEC',
          `piece ${piece} holds one file only: it has no part-file slot`,
        );
      }
      let slot = this.#slotOf.get(piece);
      const isNew = slot === undefined;
      if (slot === undefined) {
        slot = this.#pieceIn.indexOf(-1);
        this.#claim(slot, piece);
      }
      try {
        if (!this.#headerWritten) {
          await this.#files.write(this.#fileIndex, 0, this.#header(slot));
          this.#headerWritten = true;
        }
        await this.#files.write(this.#fileIndex, this.#slotStart(slot), data);
        // The entry goes after the bytes: a crash in between leaves a free slot, never a slot of garbage.
        if (isNew) await this.#writeEntry(slot, piece + 1);
      } catch (error) {
        if (isNew) this.#release(slot);
        throw error;
      }
    });
  }

  /** Reads `length` bytes at `offset` inside a stored piece; rejects with STORAGE_MISSING if it is not stored. */
  read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    return this.#serial(async () => {
      const slot = this.#slotOf.get(piece);
      if (slot === undefined) {
        throw new BitloomError('STORAGE_MISSING', `piece ${piece} is not in the part file`);
      }
      return this.#files.read(this.#fileIndex, this.#slotStart(slot) + offset, length);
    });
  }

  /** Frees a piece's slot; the part file is deleted once no slot is used. */
  free(piece: number): Promise<void> {
    return this.#serial(async () => {
      const slot = this.#slotOf.get(piece);
      if (slot === undefined) return;
      this.#release(slot);
      if (this.#slotOf.size === 0) {
        await this.#files.remove(this.#fileIndex);
        this.#headerWritten = false;
      } else {
        await this.#writeEntry(slot, 0);
      }
    });
  }

  async #load(): Promise<void> {
    const { headerLength, slotCount, sharedPieces } = this.#geometry;
    const size = await this.#files.size(this.#fileIndex);
    if (size < 0) return;
    const header =
      size >= headerLength ? await this.#files.read(this.#fileIndex, 0, headerLength) : undefined;
    const view = header && new DataView(header.buffer, header.byteOffset, header.byteLength);
    const valid =
      view !== undefined &&
      view.getUint32(0) === MAGIC &&
      view.getUint32(4) === VERSION &&
      view.getUint32(8) === this.#layout.pieceLength &&
      view.getUint32(12) === slotCount;
    if (!valid) {
      // Not ours, or from another layout: nothing in it can be trusted.
      await this.#files.remove(this.#fileIndex);
      return;
    }
    this.#headerWritten = true;
    for (let slot = 0; slot < slotCount; slot++) {
      const piece = view.getUint32(FIXED_HEADER + 4 * slot) - 1;
      // A bad entry is treated as free and overwritten when the slot is next used.
      if (piece >= 0 && sharedPieces.has(piece) && !this.#slotOf.has(piece)) this.#claim(slot, piece);
    }
  }

  #claim(slot: number, piece: number): void {
    this.#slotOf.set(piece, slot);
    this.#pieceIn[slot] = piece;
  }

  #release(slot: number): void {
    this.#slotOf.delete(this.#pieceIn[slot]!);
    this.#pieceIn[slot] = -1;
  }

  /** The whole header as it stands, without the entry of `pendingSlot` (written after its bytes). */
  #header(pendingSlot: number): Uint8Array {
    const bytes = new Uint8Array(this.#geometry.headerLength);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC);
    view.setUint32(4, VERSION);
    view.setUint32(8, this.#layout.pieceLength);
    view.setUint32(12, this.#geometry.slotCount);
    this.#pieceIn.forEach((piece, slot) => {
      if (piece >= 0 && slot !== pendingSlot) view.setUint32(FIXED_HEADER + 4 * slot, piece + 1);
    });
    return bytes;
  }

  #writeEntry(slot: number, value: number): Promise<void> {
    const entry = new Uint8Array(4);
    new DataView(entry.buffer).setUint32(0, value);
    return this.#files.write(this.#fileIndex, FIXED_HEADER + 4 * slot, entry);
  }

  #slotStart(slot: number): number {
    return this.#geometry.dataStart + slot * this.#layout.pieceLength;
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.catch(() => {});
    return run;
  }
}
