/**
 * The data of one announce and one scrape, shared by the HTTP (BEP 3, 7, 23) and UDP (BEP 15) clients, and the
 * bounds applied to what a tracker says: intervals are clamped and peer lists capped before anything is kept.
 */

/** BEP 3 announce events; `undefined` is a regular re-announce. */
export type AnnounceEvent = 'started' | 'completed' | 'stopped';

/** What the client tells the tracker. */
export interface AnnounceRequest {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: AnnounceEvent;
  numwant: number;
  /** Random per-session key, so a tracker can tell us apart when our IP changes. */
  key: number;
  /** The `tracker id` a tracker sent earlier, echoed back (HTTP only). */
  trackerId?: string;
}

/** A peer address from a tracker: an IPv4 dotted quad or a compressed IPv6 address (no brackets). */
export interface TrackerPeer {
  host: string;
  port: number;
}

/** A successful announce, with the tracker's numbers already bounded. */
export interface AnnounceResponse {
  /** Milliseconds until the next regular announce, clamped to [{@link MIN_INTERVAL_MS}, {@link MAX_INTERVAL_MS}]. */
  intervalMs: number;
  /** Milliseconds the tracker wants between announces at the least, ≤ `intervalMs`. */
  minIntervalMs: number;
  peers: TrackerPeer[];
  seeders?: number;
  leechers?: number;
  warning?: string;
  trackerId?: string;
}

/** Swarm numbers of one torrent (BEP 48 scrape, BEP 15 scrape). */
export interface ScrapeResult {
  infoHash: Uint8Array;
  seeders: number;
  leechers: number;
  /** Completed downloads so far. */
  downloaded: number;
}

/** Shortest regular interval accepted: a tracker asking for 0 s still gets one announce a minute at most. */
export const MIN_INTERVAL_MS = 60_000;
/** Longest regular interval accepted: a tracker asking for a year is asked again after two hours. */
export const MAX_INTERVAL_MS = 2 * 60 * 60_000;
/** The interval used when a tracker does not send one. */
export const DEFAULT_INTERVAL_MS = 30 * 60_000;
/** Floor of `min interval` (and of "need peers" re-announces). */
export const MIN_MIN_INTERVAL_MS = 30_000;
/** `min interval` when the tracker sends none (never above the interval). */
export const DEFAULT_MIN_INTERVAL_MS = 5 * 60_000;
/** Peers kept from one response; the rest are dropped unread. */
export const MAX_PEERS_PER_RESPONSE = 1000;
/** Largest HTTP tracker response body accepted. */
export const MAX_TRACKER_RESPONSE_BYTES = 1024 * 1024;
/** Default `numwant`. */
export const DEFAULT_NUMWANT = 50;

/** Clamps a tracker's `interval` / `min interval` (seconds, possibly absent or garbage) to milliseconds. */
export function clampIntervals(
  intervalSeconds: number | undefined,
  minIntervalSeconds: number | undefined,
): { intervalMs: number; minIntervalMs: number } {
  const intervalMs =
    intervalSeconds === undefined || !Number.isFinite(intervalSeconds)
      ? DEFAULT_INTERVAL_MS
      : clamp(intervalSeconds * 1000, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  const minMs =
    minIntervalSeconds === undefined || !Number.isFinite(minIntervalSeconds)
      ? DEFAULT_MIN_INTERVAL_MS
      : minIntervalSeconds * 1000;
  return { intervalMs, minIntervalMs: clamp(minMs, MIN_MIN_INTERVAL_MS, intervalMs) };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
