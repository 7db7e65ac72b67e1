/**
 * Reads for upload in aligned chunks of 16 blocks, kept in a small LRU: peers ask for the blocks of a piece one
 * after another, so one disk read serves the next sixteen requests (libtorrent's read cache line). Concurrent
 * requests for the same chunk share one read. Bounded: at most `maxChunks` chunks in memory.
 */
import { BLOCK_SIZE } from '../indices.js';

export const READ_CHUNK_SIZE = 16 * BLOCK_SIZE;

export class ReadCache {
  private readonly chunks = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly readRange: (piece: number, begin: number, length: number) => Promise<Uint8Array>,
    private readonly pieceSize: (piece: number) => number,
    private readonly maxChunks = 64,
  ) {}

  async read(piece: number, begin: number, length: number): Promise<Uint8Array> {
    const chunkIndex = Math.floor(begin / READ_CHUNK_SIZE);
    const chunkStart = chunkIndex * READ_CHUNK_SIZE;
    const chunkLength = Math.min(READ_CHUNK_SIZE, this.pieceSize(piece) - chunkStart);
    // A request that straddles chunks (peers normally ask for aligned 16 KiB blocks) goes straight to disk.
    if (begin + length > chunkStart + chunkLength) return this.readRange(piece, begin, length);
    // At most 1024 chunks per piece (16 MiB pieces would have 64): a unique key per chunk.
    const key = piece * 1024 + chunkIndex;
    let chunk = this.chunks.get(key);
    if (chunk) {
      this.chunks.delete(key); // re-inserted below: Map order is LRU order
    } else {
      chunk = this.readRange(piece, chunkStart, chunkLength);
      chunk.catch(() => this.chunks.delete(key));
    }
    this.chunks.set(key, chunk);
    if (this.chunks.size > this.maxChunks) {
      const oldest = this.chunks.keys().next().value;
      if (oldest !== undefined) this.chunks.delete(oldest);
    }
    const data = await chunk;
    return data.subarray(begin - chunkStart, begin - chunkStart + length);
  }

  /** Forgets cached data (e.g. after the files changed under us). */
  clear(): void {
    this.chunks.clear();
  }
}
