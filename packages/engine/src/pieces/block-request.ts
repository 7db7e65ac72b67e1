/**
 * The words the picker and its callers share: a peer is named by an opaque number, and a block request is the
 * (index, begin, length) triple of a BEP 3 `request` message, plus the block's number inside its piece.
 */

/** An opaque, session-unique number naming one peer connection. */
export type PeerKey = number;

/** One block to request: BEP 3 `request <piece> <begin> <length>`, with `block = begin / BLOCK_SIZE`. */
export interface BlockRequest {
  piece: number;
  block: number;
  begin: number;
  length: number;
}
