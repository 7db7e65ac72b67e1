/**
 * One-shot scrape (BEP 48 over HTTP, BEP 15 over UDP): swarm numbers for some torrents from one tracker, with a
 * bounded wait. For `bitloom` commands and the torrent's status; the announcer does not need it.
 */
import type { ScrapeResult } from './announce-types.js';
import { timeoutSignal } from './clock-signal.js';
import { createTrackerClient, type TrackerPlatform } from './create-tracker-client.js';

/** Longest a scrape may take (UDP: the first three tries, 15 + 30 + 60 s, fit in). */
export const SCRAPE_TIMEOUT_MS = 120_000;

/**
 * Scrapes `url` for `infoHashes`. Resolves with the entries the tracker knows (hashes it does not know are
 * missing); rejects with a `TrackerError` (`TRACKER_SCRAPE_UNSUPPORTED` when the HTTP URL has no scrape form).
 */
export async function scrape(
  url: string,
  infoHashes: Uint8Array[],
  platform: TrackerPlatform,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ScrapeResult[]> {
  const client = createTrackerClient(url, platform, { maxRetransmits: 2 });
  const timeout = timeoutSignal(platform.clock, options.timeoutMs ?? SCRAPE_TIMEOUT_MS, options.signal);
  try {
    return await client.scrape(infoHashes, timeout.signal);
  } finally {
    timeout.dispose();
    await client.close();
  }
}
