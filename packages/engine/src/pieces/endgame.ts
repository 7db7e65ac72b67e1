/**
 * Endgame (the BitTorrent paper's "end game mode"; BEP 3 leaves it to the client): when every missing block
 * is already requested, ask other peers for the same blocks so one slow peer cannot hold back the last piece,
 * and CANCEL the duplicates when a copy arrives. This chooses which duplicates one peer should send: blocks in
 * flight that it has not requested itself, fewest requesters first. O(blocks of the pieces in flight).
 */
import type { PeerKey } from './block-request.js';
import { BLOCK_REQUESTED, type PartialPiece } from './partial-piece.js';

export interface EndgameCandidate {
  partial: PartialPiece;
  block: number;
}

/**
 * Up to `limit` requested blocks not requested by `peer`, fewest requesters first, then higher priority,
 * then lower piece and block. `priorityOf` returns 0 for pieces `peer` must not get (it lacks them, or they are
 * not wanted).
 */
export function endgameCandidates(
  partials: Iterable<PartialPiece>,
  peer: PeerKey,
  limit: number,
  priorityOf: (piece: number) => number,
): EndgameCandidate[] {
  const candidates: { partial: PartialPiece; block: number; requesters: number; priority: number }[] = [];
  for (const partial of partials) {
    if (partial.requestedCount === 0) continue;
    const priority = priorityOf(partial.piece);
    if (priority === 0) continue;
    for (let block = 0; block < partial.blockCount; block++) {
      if (partial.state(block) !== BLOCK_REQUESTED) continue;
      const requesters = partial.requesters(block);
      if (!requesters.includes(peer))
        candidates.push({ partial, block, requesters: requesters.length, priority });
    }
  }
  candidates.sort(
    (a, b) =>
      a.requesters - b.requesters ||
      b.priority - a.priority ||
      a.partial.piece - b.partial.piece ||
      a.block - b.block,
  );
  return candidates.slice(0, limit);
}
