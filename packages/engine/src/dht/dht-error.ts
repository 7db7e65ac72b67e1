/**
 * The typed error of the Mainline DHT (BEP 5). Lookups and announces never reject because of a misbehaving
 * remote node: a timed-out or erroring node is just a failed candidate. These codes reach callers only through
 * `KrpcSocket.query` rejections and caller bugs (a wrong-sized info-hash).
 */
import { BitloomError } from '../errors.js';

/**
 * Codes of {@link DhtError}:
 * - `DHT_TIMEOUT` a query got no response in time
 * - `DHT_REMOTE_ERROR` the remote node answered with a KRPC error (`krpcCode` holds its number)
 * - `DHT_BAD_RESPONSE` a response arrived but lacks what the method requires (e.g. a 20-byte `id`)
 * - `DHT_TOO_MANY_PENDING` too many queries in flight; this one was not sent
 * - `DHT_STOPPED` the DHT was stopped
 * - `DHT_NOT_STARTED` a lookup was asked for before `start()`
 * - `DHT_BAD_ARGUMENT` a caller passed an invalid argument (an info-hash that is not 20 bytes, a bad port)
 */
export type DhtErrorCode =
  | 'DHT_TIMEOUT'
  | 'DHT_REMOTE_ERROR'
  | 'DHT_BAD_RESPONSE'
  | 'DHT_TOO_MANY_PENDING'
  | 'DHT_STOPPED'
  | 'DHT_NOT_STARTED'
  | 'DHT_BAD_ARGUMENT';

export class DhtError extends BitloomError {
  declare readonly code: DhtErrorCode;
  /** For `DHT_REMOTE_ERROR`: the KRPC error number the node sent (201 … 204). */
  readonly krpcCode: number | undefined;

  constructor(code: DhtErrorCode, message: string, options?: { cause?: unknown; krpcCode?: number }) {
    super(code, message, options);
    this.name = 'DhtError';
    this.krpcCode = options?.krpcCode;
  }
}
