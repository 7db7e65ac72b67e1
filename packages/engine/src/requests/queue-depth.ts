/**
 * How many block requests to keep outstanding with one peer (libtorrent's "request queue time"): enough to
 * cover `queueTimeSeconds` of the peer's measured download rate, so the pipe never drains while a request
 * crosses the network, bounded by a floor (a new or slow peer still gets a few), a ceiling, and the peer's own
 * limit (`reqq` from its BEP 10 extended handshake).
 */
import { BLOCK_SIZE } from '../indices.js';

export interface QueueDepthOptions {
  /** Seconds of transfer to keep requested. Default 3. */
  queueTimeSeconds?: number;
  /** Default 2. */
  min?: number;
  /** Default 500. */
  max?: number;
  /** The peer's `reqq` (BEP 10): it drops requests beyond this. Ignored unless a finite number ≥ 1. */
  peerReqq?: number;
  /** Default BLOCK_SIZE. */
  blockSize?: number;
}

export const DEFAULT_QUEUE_TIME_SECONDS = 3;
export const DEFAULT_MIN_QUEUE_DEPTH = 2;
export const DEFAULT_MAX_QUEUE_DEPTH = 500;

/** Outstanding requests to aim for with a peer sending us `downloadRate` bytes/s. Always an integer ≥ 1. */
export function targetQueueDepth(downloadRate: number, options: QueueDepthOptions = {}): number {
  const queueTime = options.queueTimeSeconds ?? DEFAULT_QUEUE_TIME_SECONDS;
  const min = Math.max(1, Math.floor(options.min ?? DEFAULT_MIN_QUEUE_DEPTH));
  const max = Math.max(min, Math.floor(options.max ?? DEFAULT_MAX_QUEUE_DEPTH));
  const blockSize = options.blockSize ?? BLOCK_SIZE;
  // A rate from outside may be anything: NaN, negative or infinite rates count as "unknown" (0).
  const rate = Number.isFinite(downloadRate) && downloadRate > 0 ? downloadRate : 0;
  const wanted = Math.ceil((rate * queueTime) / blockSize);
  let depth = Math.min(max, Math.max(min, Number.isFinite(wanted) ? wanted : min));
  const reqq = options.peerReqq;
  if (reqq !== undefined && Number.isFinite(reqq) && reqq >= 1) depth = Math.min(depth, Math.floor(reqq));
  return depth;
}
