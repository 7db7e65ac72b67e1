/**
 * The messages of the peer wire protocol after the handshake: BEP 3's core set, the BEP 6 Fast extension's
 * messages, and the BEP 10 extended-message envelope. These are the shapes the framer reports and the encoder takes.
 */

/** Message ids as they appear on the wire, after the 4-byte length prefix. */
export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggestPiece: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  rejectRequest: 0x10,
  allowedFast: 0x11,
  extended: 20,
} as const;

/**
 * The payload of a PIECE message: views over the received chunks, copied once, by the consumer, into the piece
 * buffer. Valid only during the `onMessage` call that delivered it.
 */
export interface BlockPayload {
  /** Number of block bytes (the message length minus the 9-byte header). */
  readonly length: number;
  /** Copies the block into `target` at `targetOffset`; throws a `WIRE_BAD_ARGUMENT` WireError if it does not fit. */
  copyTo(target: Uint8Array, targetOffset: number): void;
  /** A contiguous copy (or a view when the payload sits in one chunk); for tests and rare paths. */
  bytes(): Uint8Array;
}

/**
 * One message of the peer wire protocol. Byte payloads (`bitfield`, `extended`, `piece`) may alias the received
 * chunks: copy what you keep beyond the `onMessage` call.
 */
export type PeerMessage =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; piece: number }
  | { type: 'bitfield'; bytes: Uint8Array }
  | { type: 'request'; piece: number; begin: number; length: number }
  | { type: 'piece'; piece: number; begin: number; block: BlockPayload }
  | { type: 'cancel'; piece: number; begin: number; length: number }
  | { type: 'port'; port: number }
  | { type: 'suggest-piece'; piece: number }
  | { type: 'have-all' }
  | { type: 'have-none' }
  | { type: 'reject-request'; piece: number; begin: number; length: number }
  | { type: 'allowed-fast'; piece: number }
  | { type: 'extended'; extendedId: number; payload: Uint8Array }
  /** A message id this codec does not know: ignored by the peer, its `length` payload bytes (after the id) skipped. */
  | { type: 'unknown'; id: number; length: number };

/** The messages {@link encodeMessage} can build (PIECE goes out as a header plus the block, unknown ids never). */
export type EncodableMessage = Exclude<PeerMessage, { type: 'piece' | 'unknown' }>;
