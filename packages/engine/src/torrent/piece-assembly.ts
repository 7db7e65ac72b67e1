/**
 * Pieces being assembled from blocks: one buffer per partial piece, allocated on its first block, each block
 * copied in once, plus who sent each block, so a piece that fails its hash can be blamed on the right peers.
 * Bounded by a byte budget: the torrent stops requesting new pieces while it is spent. Buffers are recycled:
 * a fresh buffer costs page faults on first touch, which showed as a third of the download's CPU time.
 */

/** Free buffers kept for reuse. */
const MAX_POOLED_BUFFERS = 16;

export interface AssemblingPiece {
  readonly piece: number;
  /** The piece's bytes; replaced by the hasher's hand-back when hashing moved them (`sha1Moving`). */
  data: Uint8Array;
  /** Bytes counted against the budget (`data` may be left detached if a moved hash fails). */
  readonly size: number;
  /** Who sent each block (peer address, by block index): blame for a failed hash. */
  readonly senders: (string | undefined)[];
}

export class PieceAssembly {
  private readonly pieces = new Map<number, AssemblingPiece>();
  private bytes = 0;
  private readonly pool: Uint8Array[] = [];

  /**
   * @param pieceLength buffers of this size (all pieces but the last) are recycled
   */
  constructor(
    private readonly budgetBytes: number,
    private readonly pieceLength: number,
  ) {}

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
      const data = (size === this.pieceLength ? this.pool.pop() : undefined) ?? new Uint8Array(size);
      entry = { piece, data, size, senders: [] };
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
  }

  /** Every byte of a recycled buffer is overwritten by blocks before it is hashed again, so no zeroing. */
  private recycle(data: Uint8Array): void {
    if (data.length === this.pieceLength && this.pool.length < MAX_POOLED_BUFFERS) this.pool.push(data);
  }
}
