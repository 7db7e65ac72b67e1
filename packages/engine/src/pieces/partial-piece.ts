/**
 * The block states of one piece being downloaded: each block is "none" (free to request), "requested" (by one
 * or more peers; more than one only in endgame) or "received". The picker keeps one of these per started piece
 * and drops it when the piece is verified or failed, so a torrent with thousands of pieces stores block state
 * only for the pieces in flight.
 */
import type { PeerKey } from './block-request.js';

export const BLOCK_NONE = 0;
export const BLOCK_REQUESTED = 1;
export const BLOCK_RECEIVED = 2;
export type BlockState = typeof BLOCK_NONE | typeof BLOCK_REQUESTED | typeof BLOCK_RECEIVED;

const NO_REQUESTERS: readonly PeerKey[] = Object.freeze([]);

export class PartialPiece {
  readonly piece: number;
  readonly blockCount: number;
  noneCount: number;
  requestedCount = 0;
  receivedCount = 0;
  readonly #states: Uint8Array;
  readonly #requesters: (PeerKey[] | undefined)[];
  /** No block below this index is "none": free blocks are found without rescanning the start of the piece. */
  #firstNoneHint = 0;

  constructor(piece: number, blockCount: number) {
    this.piece = piece;
    this.blockCount = blockCount;
    this.noneCount = blockCount;
    this.#states = new Uint8Array(blockCount);
    this.#requesters = new Array(blockCount);
  }

  state(block: number): BlockState {
    return this.#states[block] as BlockState;
  }

  requesters(block: number): readonly PeerKey[] {
    return this.#requesters[block] ?? NO_REQUESTERS;
  }

  isComplete(): boolean {
    return this.receivedCount === this.blockCount;
  }

  /** True when no block is requested or received, so the piece can go back among the untouched pieces. */
  isUntouched(): boolean {
    return this.noneCount === this.blockCount;
  }

  /**
   * Marks up to `max` free blocks requested by `peer`, lowest first, and appends their numbers to `out`.
   * Amortised O(blocks taken), thanks to the first-free hint.
   */
  takeFreeBlocks(max: number, peer: PeerKey, out: number[]): number {
    let taken = 0;
    let block = this.#firstNoneHint;
    while (taken < max && this.noneCount > 0 && block < this.blockCount) {
      if (this.#states[block] === BLOCK_NONE) {
        this.#states[block] = BLOCK_REQUESTED;
        this.#requesters[block] = [peer];
        this.noneCount--;
        this.requestedCount++;
        out.push(block);
        taken++;
      }
      block++;
    }
    this.#firstNoneHint = this.noneCount === 0 ? this.blockCount : block;
    return taken;
  }

  /** Adds `peer` as one more requester of a requested block (endgame). False if it cannot be. */
  addRequester(block: number, peer: PeerKey): boolean {
    if (this.#states[block] !== BLOCK_REQUESTED) return false;
    const requesters = this.#requesters[block]!;
    if (requesters.includes(peer)) return false;
    requesters.push(peer);
    return true;
  }

  /**
   * Records the block as received from `peer`. Only a requested block is accepted (by `peer` or, when it
   * arrives late or unasked, by another peer). Returns the other peers that had it requested, or undefined
   * when it is not accepted.
   */
  receive(block: number, peer: PeerKey): readonly PeerKey[] | undefined {
    if (this.#states[block] !== BLOCK_REQUESTED) return undefined;
    const requesters = this.#requesters[block]!;
    // Outside endgame the one requester is the sender: no array per block for "nobody else".
    const others =
      requesters.length === 1 && requesters[0] === peer
        ? NO_REQUESTERS
        : requesters.filter((requester) => requester !== peer);
    this.#states[block] = BLOCK_RECEIVED;
    this.#requesters[block] = undefined;
    this.requestedCount--;
    this.receivedCount++;
    return others;
  }

  /** Drops `peer`'s request for the block; the block is free again when nobody else asked for it. */
  abort(block: number, peer: PeerKey): void {
    if (this.#states[block] !== BLOCK_REQUESTED) return;
    const requesters = this.#requesters[block]!;
    const at = requesters.indexOf(peer);
    if (at < 0) return;
    requesters.splice(at, 1);
    if (requesters.length > 0) return;
    this.#states[block] = BLOCK_NONE;
    this.#requesters[block] = undefined;
    this.requestedCount--;
    this.noneCount++;
    if (block < this.#firstNoneHint) this.#firstNoneHint = block;
  }

  /** Blocks `peer` has requested (for dropping everything a disconnected peer had asked for). */
  blocksRequestedBy(peer: PeerKey): number[] {
    const blocks: number[] = [];
    if (this.requestedCount === 0) return blocks;
    for (let block = 0; block < this.blockCount; block++) {
      if (this.#states[block] === BLOCK_REQUESTED && this.#requesters[block]!.includes(peer))
        blocks.push(block);
    }
    return blocks;
  }
}
