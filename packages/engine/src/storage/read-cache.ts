/**
 * Reads for upload, a whole piece at a time, each piece checked against its hash before any of its blocks goes
 * out: data that rotted on disk (a flipped bit, a file edited or truncated under us) is caught here, once per
 * read from disk, instead of being uploaded to peers who would then ban us for it. Peers ask for the blocks of a
 * piece one after another, so one read and one hash serve them all (libtorrent's read cache keeps pieces too).
 * Concurrent requests for a piece share one read. Bounded: the cached pieces hold at most `maxBytes`, and never
 * fewer than one piece.
 *
 * A piece hashed less than `trustMs` ago is not hashed again when it is read back: with many peers each fetching
 * every piece, the cache cannot hold the pieces they want at once, and hashing on every read made a seeder hash
 * each piece once per peer (50 leechers of a 64 MiB torrent: 2,198 hashes of 1 MiB for 64 pieces). A byte that
 * rots on disk is then caught by the first read after the window (libtorrent and Transmission never check reads).
 */
import { BitloomError } from '../errors.js';
import { BLOCK_SIZE } from '../indices.js';

/** The most a file read stream takes from the cache at once (a piece may be far larger than this). */
export const READ_CHUNK_SIZE = 16 * BLOCK_SIZE;

/** A piece read for upload failed its hash check: the data on disk is no longer what was verified. */
export const STORAGE_CORRUPT = 'STORAGE_CORRUPT';

/** Where pieces are read from: the torrent's PieceStorage. */
export interface PieceReader {
  read(piece: number, begin: number, length: number): Promise<Uint8Array>;
  readonly layout: { pieceSize(piece: number): number };
}

export class ReadCache {
  /** Pieces being read or read and verified, in least-recently-used order (Map order). */
  private readonly pieces = new Map<number, Promise<Uint8Array>>();
  private cachedBytes = 0;
  /** Pieces read from disk and hashed (not served from the cache): what verification costs. */
  verifiedReads = 0;
  /** When each piece was last hashed and matched (clock ms; -Infinity: not since the cache was made or cleared). */
  private readonly verifiedAt: Float64Array;

  constructor(
    private readonly storage: PieceReader & { readonly layout: { readonly pieceCount: number } },
    /** True when `data` is what `piece` must hold (its SHA-1 matches). */
    private readonly verify: (piece: number, data: Uint8Array) => Promise<boolean>,
    private readonly maxBytes: number,
    private readonly trustMs = 0,
    private readonly now: () => number = () => 0,
  ) {
    this.verifiedAt = new Float64Array(storage.layout.pieceCount).fill(Number.NEGATIVE_INFINITY);
  }

  /** `length` bytes at `begin` inside `piece`, from a copy of the piece that has passed its hash check. */
  async read(piece: number, begin: number, length: number): Promise<Uint8Array> {
    let entry = this.pieces.get(piece);
    if (entry) {
      this.pieces.delete(piece); // re-inserted below: Map order is LRU order
    } else {
      entry = this.load(piece);
      this.cachedBytes += this.storage.layout.pieceSize(piece);
      const loading = entry;
      loading.catch(() => {
        if (this.pieces.get(piece) === loading) this.forget(piece);
      });
    }
    this.pieces.set(piece, entry);
    while (this.cachedBytes > this.maxBytes && this.pieces.size > 1) {
      this.forget(this.pieces.keys().next().value!);
    }
    const data = await entry;
    return data.subarray(begin, begin + length);
  }

  /** Forgets cached data and every piece's last check (e.g. after the files changed under us). */
  clear(): void {
    this.pieces.clear();
    this.cachedBytes = 0;
    this.verifiedAt.fill(Number.NEGATIVE_INFINITY);
  }

  /** `piece` was just hashed and matched elsewhere (downloaded and written): reads within the window trust it. */
  markVerified(piece: number): void {
    this.verifiedAt[piece] = this.now();
  }

  /** Bytes of the pieces held (or being read) now. */
  get bytes(): number {
    return this.cachedBytes;
  }

  private forget(piece: number): void {
    if (this.pieces.delete(piece)) this.cachedBytes -= this.storage.layout.pieceSize(piece);
  }

  private async load(piece: number): Promise<Uint8Array> {
    const data = await this.storage.read(piece, 0, this.storage.layout.pieceSize(piece));
    const now = this.now();
    if (now - this.verifiedAt[piece]! < this.trustMs) return data;
    this.verifiedReads++;
    if (!(await this.verify(piece, data))) {
      throw new BitloomError(
        STORAGE_CORRUPT,
        `piece ${piece} read back from disk no longer matches its hash`,
      );
    }
    this.verifiedAt[piece] = now;
    return data;
  }
}
