/**
 * The error type of the peer wire codec (BEP 3, BEP 6, BEP 10). A framer reports it through `onError` when a peer
 * sends bytes that break the protocol; the encoders throw it only for caller bugs (a field out of range).
 */
import { BitloomError } from '../errors.js';

/** Stable codes of {@link WireError}; callers match on these, never on the message text. */
export type WireErrorCode =
  /** A length prefix above the framer's `maxMessageLength`. */
  | 'WIRE_MESSAGE_TOO_LONG'
  /** A message whose length does not fit its id (e.g. a HAVE that is not 5 bytes long). */
  | 'WIRE_BAD_MESSAGE_LENGTH'
  /** The handshake does not start with the 19-byte protocol string "BitTorrent protocol". */
  | 'WIRE_BAD_PROTOCOL'
  /** A caller passed a value an encoder cannot put on the wire (a caller bug, thrown). */
  | 'WIRE_BAD_ARGUMENT';

export class WireError extends BitloomError {
  declare readonly code: WireErrorCode;
  /**
   * Byte offset in the received stream where the offending handshake or message starts (its length prefix),
   * or -1 when the error is not about received bytes.
   */
  readonly offset: number;

  constructor(code: WireErrorCode, message: string, offset = -1) {
    super(code, message);
    this.name = 'WireError';
    this.offset = offset;
  }
}
