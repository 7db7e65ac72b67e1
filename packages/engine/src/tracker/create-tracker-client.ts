/**
 * Picks the tracker client for a URL's scheme: http/https (BEP 3) or udp (BEP 15). Other schemes (`wss:` for
 * WebTorrent trackers, typos, `ftp:`) are `TRACKER_BAD_URL`.
 */
import type { Platform } from '../platform/platform.js';
import { HttpTracker } from './http-tracker.js';
import type { TrackerClient } from './tracker-client.js';
import { TrackerError } from './tracker-error.js';
import { UdpTracker, type UdpTrackerOptions } from './udp-tracker.js';

export type TrackerPlatform = Pick<Platform, 'clock' | 'random' | 'udp' | 'http'>;

/** A client for `url`; throws `TRACKER_BAD_URL` for an unknown scheme or a malformed URL. */
export function createTrackerClient(
  url: string,
  platform: TrackerPlatform,
  udpOptions: UdpTrackerOptions = {},
): TrackerClient {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return new HttpTracker(url, platform.http);
  if (scheme === 'udp') return new UdpTracker(url, platform, udpOptions);
  throw new TrackerError('TRACKER_BAD_URL', `unsupported tracker URL: ${url.slice(0, 200)}`);
}
