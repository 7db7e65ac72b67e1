/**
 * Pieces being assembled from blocks: one buffer per partial piece, allocated on its first block, each block
 * copied in once, plus who sent each block, so a piece that fails its hash can be blamed on the right peers.
 * Bounded by a byte budget: the torrent stops starting new pieces while it is spent. Buffers are recycled:
 * a fresh buffer costs page faults on first touch, which showed as a third of the download's CPU time. A buffer
 * is allocated only when the pool is empty, so held + pooled bytes never exceed the most ever held at once (the
 * budget plus the pieces started just before it was reached), and the pool alone is capped by the budget. An
 * earlier rule that also counted held bytes against the pool dropped buffers whenever held pieces overshot the
 * budget: a 1 GiB download of 1 MiB pieces allocated 180–200 buffers instead of ~70.
 */
import { BLOCK_SIZE } from '../indices.js';

export interface AssemblingPiece {
  readonly piece: number;
  /** The piece's bytes; replaced by the hasher's hand-back when hashing moved them (`sha1Moving`). */
  data: Uint8Array;
  /** Bytes counted against the budget (`data` may be left detached if a moved hash fails). */
  readonly size: number;
  /** Who sent each block (peer address, by block index): blame for a failed hash. */
  readonly senders: (string | undefined)[];
}

/** The budget grows to at most this many times the setting, however many peers send. */
export const MAX_BUDGET_FACTOR = 4;

/**
 * The piece-memory budget while `sendingPeers` peers send us blocks: the setting for one, and half of it more for
 * each further one, up to MAX_BUDGET_FACTOR times it. Each sending peer keeps its own pipeline of requests in
 * flight, and pieces wait for their hash while the cores are busy: with four seeders on two cores a 32 MiB budget
 * was full 60 % of the time and the download ran at 282-291 MB/s, against 312-323 with 64 MiB (bench scenario 3).
 */
export function pieceBudget(settingBytes: number, sendingPeers: number): number {
  const extra = Math.max(0, sendingPeers - 1) * (settingBytes / 2);
  return Math.min(settingBytes * MAX_BUDGET_FACTOR, settingBytes + extra);
}

export class PieceAssembly {
  private readonly pieces = new Map<number, AssemblingPiece>();
  private bytes = 0;
  private readonly pool: Uint8Array[] = [];
  private pooledBytes = 0;

  /**
   * @param pieceLength buffers of this size (all pieces but the last) are recycled
   */
  constructor(
    private budgetBytes: number,
    private readonly pieceLength: number,
  ) {}

  /** The byte budget now (see `pieceBudget`); held bytes above it stay, and no new piece starts. */
  get budget(): number {
    return this.budgetBytes;
  }

  set budget(bytes: number) {
    this.budgetBytes = bytes;
  }

  /** Bytes held by partial pieces and pieces waiting for their hash. */
  get heldBytes(): number {
    return this.bytes;
  }

  get overBudget(): boolean {
    return this.bytes >= this.budgetBytes;
  }

  get(piece: number): AssemblingPiece | undefined {
    return this.pieces.get(piece);
  }

  /** The buffer for `piece`, allocated on first use. */
  acquire(piece: number, size: number): AssemblingPiece {
    let entry = this.pieces.get(piece);
    if (!entry) {
      // Each buffer its own ArrayBuffer, so a hasher can move it to another thread whole.
      const pooled = size === this.pieceLength ? this.pool.pop() : undefined;
      if (pooled) this.pooledBytes -= pooled.length;
      const data = pooled ?? new Uint8Array(size);
      // Sized up front: filling an empty array block by block grew it again and again (and V8 deoptimised the
      // block path on the out-of-bounds store).
      entry = { piece, data, size, senders: new Array<string | undefined>(Math.ceil(size / BLOCK_SIZE)) };
      this.pieces.set(piece, entry);
      this.bytes += size;
    }
    return entry;
  }

  /** Takes a complete piece out for hashing; its bytes stay counted until `release`. */
  take(piece: number): AssemblingPiece | undefined {
    const entry = this.pieces.get(piece);
    this.pieces.delete(piece);
    return entry;
  }

  /** Returns the budget held by a piece taken out (verified and written, or failed). */
  release(entry: AssemblingPiece): void {
    this.bytes -= entry.size;
    this.recycle(entry.data);
  }

  /** Drops a partial piece (e.g. it failed, or the torrent stops). */
  discard(piece: number): void {
    const entry = this.pieces.get(piece);
    if (!entry) return;
    this.pieces.delete(piece);
    this.bytes -= entry.size;
    this.recycle(entry.data);
  }

  clear(): void {
    this.pieces.clear();
    this.bytes = 0;
    this.pool.length = 0;
    this.pooledBytes = 0;
  }

  /** Free buffers kept for reuse, in bytes (at most the budget). */
  get poolBytes(): number {
    return this.pooledBytes;
  }

  /** Lets the free buffers go (the download is complete: no more pieces to assemble for now). */
  dropPool(): void {
    this.pool.length = 0;
    this.pooledBytes = 0;
  }

  /** Every byte of a recycled buffer is overwritten by blocks before it is hashed again, so no zeroing. */
  private recycle(data: Uint8Array): void {
    if (data.length !== this.pieceLength) return;
    if (this.pooledBytes + data.length > this.budgetBytes) return;
    this.pool.push(data);
    this.pooledBytes += data.length;
  }
}
