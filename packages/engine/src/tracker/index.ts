/** Trackers: HTTP (BEP 3, 7, 23, 48) and UDP (BEP 15) clients, the BEP 12 announce scheduler and scrape. */
export {
  type AnnounceEvent,
  type AnnounceRequest,
  type AnnounceResponse,
  clampIntervals,
  DEFAULT_INTERVAL_MS,
  MAX_INTERVAL_MS,
  MAX_PEERS_PER_RESPONSE,
  MAX_TRACKER_RESPONSE_BYTES,
  MIN_INTERVAL_MS,
  type ScrapeResult,
  type TrackerPeer,
} from './announce-types.js';
export {
  Announcer,
  type AnnouncerOptions,
  type AnnounceStats,
  STOP_ANNOUNCE_TIMEOUT_MS,
  type TrackerStatus,
} from './announcer.js';
export { formatIPv6, parseCompactPeers } from './compact-peers.js';
export { createTrackerClient, type TrackerPlatform } from './create-tracker-client.js';
export { HttpTracker } from './http-tracker.js';
export { parseAnnounceResponse, parseScrapeResponse } from './http-tracker-response.js';
export { buildAnnounceUrl, buildScrapeUrl, percentEncodeBytes, scrapeUrlOf } from './http-tracker-url.js';
export { filterPeers } from './peer-filter.js';
export { SCRAPE_TIMEOUT_MS, scrape } from './scrape.js';
export type { TrackerClient } from './tracker-client.js';
export { TrackerError, type TrackerErrorCode } from './tracker-error.js';
export {
  UDP_BASE_TIMEOUT_MS,
  UDP_CONNECTION_ID_LIFETIME_MS,
  UDP_DEFAULT_MAX_RETRANSMITS,
  UdpTracker,
  type UdpTrackerOptions,
  type UdpTrackerPlatform,
} from './udp-tracker.js';
