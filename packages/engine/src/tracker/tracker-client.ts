/**
 * One interface over HTTP (BEP 3) and UDP (BEP 15) trackers, so the announcer and `scrape` do not care which
 * kind a URL names.
 */
import type { AnnounceRequest, AnnounceResponse, ScrapeResult } from './announce-types.js';

/** A client for one tracker URL. Rejects only with `TrackerError`. */
export interface TrackerClient {
  readonly url: string;
  announce(request: AnnounceRequest, signal: AbortSignal): Promise<AnnounceResponse>;
  scrape(infoHashes: readonly Uint8Array[], signal: AbortSignal): Promise<ScrapeResult[]>;
  /** Releases sockets; later calls reject with `TRACKER_ABORTED`. */
  close(): Promise<void>;
}
