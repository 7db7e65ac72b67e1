/**
 * Typed tracker failures (BEP 3, BEP 15, BEP 48). A tracker that is down, slow, or answers garbage is normal: the
 * announcer records one of these as the tracker's last error and backs off; it never escapes as a crash.
 */
import { BitloomError } from '../errors.js';

/**
 * Codes of {@link TrackerError}:
 * - `TRACKER_BAD_URL` the announce URL does not parse or has an unsupported scheme
 * - `TRACKER_FAILURE` the tracker answered with a `failure reason` (or UDP error action)
 * - `TRACKER_BAD_RESPONSE` not bencode, wrong types, a garbled packet
 * - `TRACKER_HTTP_STATUS` an HTTP status other than 200 without a failure reason
 * - `TRACKER_HTTP` the HTTP request failed (the `HttpError` is the cause)
 * - `TRACKER_TIMEOUT` no answer in time (UDP retransmits exhausted, or the caller's timeout)
 * - `TRACKER_ABORTED` the caller cancelled
 * - `TRACKER_SCRAPE_UNSUPPORTED` the URL has no scrape convention (BEP 48)
 * - `TRACKER_UDP_BIND` no UDP socket could be bound
 */
export type TrackerErrorCode =
  | 'TRACKER_BAD_URL'
  | 'TRACKER_FAILURE'
  | 'TRACKER_BAD_RESPONSE'
  | 'TRACKER_HTTP_STATUS'
  | 'TRACKER_HTTP'
  | 'TRACKER_TIMEOUT'
  | 'TRACKER_ABORTED'
  | 'TRACKER_SCRAPE_UNSUPPORTED'
  | 'TRACKER_UDP_BIND';

/** A failed announce or scrape. */
export class TrackerError extends BitloomError {
  declare readonly code: TrackerErrorCode;

  constructor(code: TrackerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TrackerError';
  }
}
