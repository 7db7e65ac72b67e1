/**
 * Finding the peer behind a corrupt piece when several peers sent its blocks (libtorrent's smart ban): when a
 * piece fails its hash, remember a SHA-1 of each block and who sent it; when the piece later passes, every peer
 * whose remembered block differs from the good data lied, and is banned. Honest peers that happened to share a
 * piece with a liar are never blamed. Bounded: records for at most `maxPieces` failed pieces.
 */

import { equalBytes } from '../bytes.js';
import { BLOCK_SIZE } from '../indices.js';
import type { Hasher } from '../platform/hasher.js';

interface BlockRecord {
  readonly block: number;
  readonly sender: string;
  readonly digest: Uint8Array;
}

export class SmartBan {
  private readonly records = new Map<number, BlockRecord[]>();

  constructor(
    private readonly hasher: Hasher,
    private readonly maxPieces = 64,
  ) {}

  /** Remembers the blocks of a piece that failed, with their senders (peer addresses, by block index). */
  async recordFailure(
    piece: number,
    data: Uint8Array,
    senders: readonly (string | undefined)[],
  ): Promise<void> {
    const list = this.records.get(piece) ?? [];
    for (let block = 0; block < senders.length; block++) {
      const sender = senders[block];
      if (sender === undefined) continue;
      const begin = block * BLOCK_SIZE;
      const digest = await this.hasher.sha1(data.subarray(begin, Math.min(data.length, begin + BLOCK_SIZE)));
      list.push({ block, sender, digest });
    }
    if (!this.records.has(piece) && this.records.size >= this.maxPieces) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.records.set(piece, list);
  }

  /** The piece passed: returns the senders whose earlier blocks of it were wrong, and forgets the piece. */
  async liarsOf(piece: number, goodData: Uint8Array): Promise<string[]> {
    const list = this.records.get(piece);
    if (!list) return [];
    this.records.delete(piece);
    const liars = new Set<string>();
    const goodDigests = new Map<number, Uint8Array>();
    for (const record of list) {
      let good = goodDigests.get(record.block);
      if (!good) {
        const begin = record.block * BLOCK_SIZE;
        good = await this.hasher.sha1(
          goodData.subarray(begin, Math.min(goodData.length, begin + BLOCK_SIZE)),
        );
        goodDigests.set(record.block, good);
      }
      if (!equalBytes(good, record.digest)) liars.add(record.sender);
    }
    return [...liars];
  }
}
