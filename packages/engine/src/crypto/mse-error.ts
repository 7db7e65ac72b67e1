/**
 * Why an MSE/PE handshake failed. A failed handshake is an event about a peer (the connection is closed), not
 * an exception that escapes the session.
 */
import { BitloomError } from '../errors.js';
import type { CloseReason } from '../peer/close-reason.js';

/**
 * Codes of {@link MseError}:
 * - `MSE_BAD_PUBLIC_KEY` the peer's DH key is degenerate (≤ 1 or ≥ P − 1)
 * - `MSE_NO_SYNC` the peer's `HASH('req1', S)` (responder) or encrypted VC (initiator) did not appear within
 *   the padding the spec allows: not MSE, or the two sides disagree on S
 * - `MSE_UNKNOWN_INFO_HASH` `HASH('req2', SKEY)` names none of our torrents
 * - `MSE_BAD_VC` the decrypted verification constant is not 8 zero bytes
 * - `MSE_BAD_PAD_LENGTH` PadC or PadD claims more than 512 bytes
 * - `MSE_NO_COMMON_METHOD` the peer provides no method we allow (plaintext / RC4)
 * - `MSE_BAD_SELECT` the responder selected something we did not provide, or more than one method
 * - `MSE_PLAINTEXT_REFUSED` a plain BitTorrent handshake arrived while encryption is required
 * - `MSE_TIMEOUT` the handshake took longer than the session allows
 * - `MSE_CLOSED` the connection closed during the handshake
 * - `MSE_ABORTED` we gave up (the session is closing)
 */
export type MseErrorCode =
  | 'MSE_BAD_PUBLIC_KEY'
  | 'MSE_NO_SYNC'
  | 'MSE_UNKNOWN_INFO_HASH'
  | 'MSE_BAD_VC'
  | 'MSE_BAD_PAD_LENGTH'
  | 'MSE_NO_COMMON_METHOD'
  | 'MSE_BAD_SELECT'
  | 'MSE_PLAINTEXT_REFUSED'
  | 'MSE_TIMEOUT'
  | 'MSE_CLOSED'
  | 'MSE_ABORTED';

/** A failed MSE/PE handshake. */
export class MseError extends BitloomError {
  declare readonly code: MseErrorCode;

  constructor(code: MseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MseError';
  }
}

/** The peer close reason a failed handshake amounts to (what the session reports as `peer-refused`). */
export function mseCloseReason(code: MseErrorCode): CloseReason {
  switch (code) {
    case 'MSE_TIMEOUT':
      return 'handshake-timeout';
    case 'MSE_UNKNOWN_INFO_HASH':
      return 'unknown-info-hash';
    case 'MSE_CLOSED':
      return 'remote-closed';
    case 'MSE_ABORTED':
      return 'torrent-stopped';
    default:
      return 'bad-handshake';
  }
}
