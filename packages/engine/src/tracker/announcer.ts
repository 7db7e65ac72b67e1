/**
 * The announce scheduler of one torrent (BEP 3 events, BEP 12 tiers). Each tier is shuffled once; a round tries
 * the trackers tier by tier, in order, until one answers, and that tracker moves to the front of its tier. Events:
 * `started` to each tracker before anything else, `completed` once, `stopped` on stop (bounded by a short
 * timeout so quitting never hangs). Re-announces follow the tracker's `interval`, sooner (never below `min
 * interval`) while the torrent needs peers; a failing tracker backs off exponentially. Driven by the session tick:
 * `tick(now)` starts whatever is due and never waits. Tracker state is plain data in `status()`.
 */
import type { Platform } from '../platform/platform.js';
import { shuffle } from '../platform/random.js';
import {
  type AnnounceEvent,
  type AnnounceRequest,
  type AnnounceResponse,
  DEFAULT_NUMWANT,
  MAX_PEERS_PER_RESPONSE,
} from './announce-types.js';
import { timeoutSignal } from './clock-signal.js';
import { createTrackerClient } from './create-tracker-client.js';
import { filterPeers } from './peer-filter.js';
import type { TrackerClient } from './tracker-client.js';
import { TrackerError } from './tracker-error.js';

/** Transfer totals reported to trackers, in bytes. */
export interface AnnounceStats {
  uploaded: number;
  downloaded: number;
  left: number;
}

/** Options of {@link Announcer}. */
export interface AnnouncerOptions {
  /** BEP 12 tiers of tracker URLs (a torrent with only `announce` has one tier of one). */
  tiers: readonly (readonly string[])[];
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** Our listen port, as told to trackers. */
  port: number;
  platform: Platform;
  /** Read at each announce. */
  stats: () => AnnounceStats;
  /** New peers from a tracker: valid (port ≠ 0), distinct within a response, at most `numwant`. */
  onPeers: (peers: { host: string; port: number }[]) => void;
  /** Peers asked for per announce; default 50. */
  numwant?: number;
}

/** One tracker as the user sees it. Plain data: safe to serialise. */
export interface TrackerStatus {
  url: string;
  /** BEP 12 tier, 0 first. */
  tier: number;
  /** `updating` while a request is in flight. */
  state: 'not-contacted' | 'updating' | 'working' | 'error';
  lastAnnounceAt?: number;
  /** The last failure, kept until the next success. */
  lastError?: { code: string; message: string };
  warning?: string;
  /** When this tracker will be announced to next, if scheduled. */
  nextAnnounceAt?: number;
  /** Failures in a row. */
  failures: number;
  intervalMs?: number;
  minIntervalMs?: number;
  seeders?: number;
  leechers?: number;
  /** Completed downloads reported by a scrape; not filled in by announces. */
  downloaded?: number;
  /** Valid peers received from this tracker in all. */
  peersReceived: number;
}

/** First retry delay after a failure; doubled for each failure in a row. */
export const ANNOUNCE_BACKOFF_BASE_MS = 15_000;
/** Longest retry delay. */
export const ANNOUNCE_BACKOFF_MAX_MS = 60 * 60_000;
/** Timeout of one HTTP announce. */
export const HTTP_ANNOUNCE_TIMEOUT_MS = 30_000;
/** UDP retransmits per announce before the next tracker is tried (15 + 30 + 60 s). */
export const UDP_ANNOUNCE_MAX_RETRANSMITS = 2;
/** Timeout of one UDP announce: room for its retransmits, 15 + 30 + 60 s. */
export const UDP_ANNOUNCE_TIMEOUT_MS = 120_000;
/** How long `stop()` waits for trackers to take the `stopped` event. */
export const STOP_ANNOUNCE_TIMEOUT_MS = 5_000;

interface TrackerEntry {
  readonly url: string;
  readonly tier: number;
  readonly client: TrackerClient | undefined;
  startedSent: boolean;
  updating: boolean;
  failures: number;
  /** Not before this time after a failure (backoff). */
  retryAt: number;
  lastAnnounceAt?: number;
  lastError?: { code: string; message: string };
  warning?: string;
  intervalMs?: number;
  minIntervalMs?: number;
  seeders?: number;
  leechers?: number;
  trackerId?: string;
  peersReceived: number;
  succeeded: boolean;
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof TrackerError) return { code: error.code, message: error.message };
  return { code: 'TRACKER_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export class Announcer {
  readonly #options: AnnouncerOptions;
  readonly #tiers: TrackerEntry[][];
  readonly #key: number;
  readonly #numwant: number;
  #started = false;
  #stopped = false;
  #needPeers = false;
  #completedPending = false;
  #completedCalled = false;
  /** The time of the next regular round. */
  #nextAnnounceAt = 0;
  #lastSuccess: { at: number; minIntervalMs: number } | undefined;
  /** After a round where nobody answered, no round (not even for `completed` or peers) before this. */
  #retryRoundAt = 0;
  #round: Promise<void> | undefined;
  #roundController: AbortController | undefined;

  constructor(options: AnnouncerOptions) {
    this.#options = options;
    const { platform } = options;
    const keyBytes = platform.random.bytes(4);
    this.#key = ((keyBytes[0]! << 24) | (keyBytes[1]! << 16) | (keyBytes[2]! << 8) | keyBytes[3]!) >>> 0;
    this.#numwant = Math.max(0, Math.min(options.numwant ?? DEFAULT_NUMWANT, MAX_PEERS_PER_RESPONSE));
    const seen = new Set<string>();
    this.#tiers = options.tiers.map((urls, tier) => {
      const entries: TrackerEntry[] = [];
      for (const url of urls) {
        if (seen.has(url)) continue;
        seen.add(url);
        entries.push(this.#makeEntry(url, tier));
      }
      return shuffle(platform.random, entries);
    });
  }

  /** Starts announcing: the `started` announce goes out at once. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#nextAnnounceAt = this.#options.platform.clock.now();
    this.tick(this.#nextAnnounceAt);
  }

  /** Starts the next round when it is due and none is in flight. Never waits. */
  tick(now: number): void {
    if (!this.#started || this.#stopped || this.#round !== undefined) return;
    if (now < this.#dueAt()) return;
    const controller = new AbortController();
    this.#roundController = controller;
    this.#round = this.#runRound(now, controller.signal).finally(() => {
      this.#round = undefined;
      this.#roundController = undefined;
    });
  }

  /** The download finished: `completed` goes out with the next round, which is due at once. Only once. */
  completed(): void {
    if (this.#completedCalled) return;
    this.#completedCalled = true;
    this.#completedPending = true;
  }

  /** While true, re-announce as often as `min interval` allows, to find more peers. */
  setNeedPeers(need: boolean): void {
    this.#needPeers = need;
  }

  /**
   * Cancels any round in flight, sends `stopped` to every tracker that was told `started` (waiting at most
   * {@link STOP_ANNOUNCE_TIMEOUT_MS}), and releases the clients' sockets. Never rejects.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#roundController?.abort();
    await this.#round;
    const { platform } = this.#options;
    const timeout = timeoutSignal(platform.clock, STOP_ANNOUNCE_TIMEOUT_MS);
    const entries = this.#tiers.flat();
    await Promise.all(
      entries
        .filter((entry) => entry.startedSent && entry.client !== undefined)
        .map((entry) =>
          entry.client!.announce(this.#request(entry, 'stopped'), timeout.signal).then(
            () => {
              entry.startedSent = false;
            },
            () => {},
          ),
        ),
    );
    timeout.dispose();
    await Promise.all(entries.map((entry) => entry.client?.close()));
  }

  /** Every tracker, tier by tier in the order they are tried. */
  status(): TrackerStatus[] {
    const working = this.#tiers.flat().find((entry) => entry.succeeded);
    return this.#tiers.flat().map((entry) => {
      const status: TrackerStatus = {
        url: entry.url,
        tier: entry.tier,
        state: entry.updating
          ? 'updating'
          : entry.lastError !== undefined
            ? 'error'
            : entry.succeeded
              ? 'working'
              : 'not-contacted',
        failures: entry.failures,
        peersReceived: entry.peersReceived,
      };
      if (entry.lastAnnounceAt !== undefined) status.lastAnnounceAt = entry.lastAnnounceAt;
      if (entry.lastError !== undefined) status.lastError = { ...entry.lastError };
      if (entry.warning !== undefined) status.warning = entry.warning;
      if (entry.intervalMs !== undefined) status.intervalMs = entry.intervalMs;
      if (entry.minIntervalMs !== undefined) status.minIntervalMs = entry.minIntervalMs;
      if (entry.seeders !== undefined) status.seeders = entry.seeders;
      if (entry.leechers !== undefined) status.leechers = entry.leechers;
      if (this.#started && !this.#stopped && entry.client !== undefined) {
        if (entry === working) status.nextAnnounceAt = this.#dueAt();
        else if (entry.retryAt > 0) status.nextAnnounceAt = entry.retryAt;
      }
      return status;
    });
  }

  #makeEntry(url: string, tier: number): TrackerEntry {
    const entry: TrackerEntry = {
      url,
      tier,
      client: undefined,
      startedSent: false,
      updating: false,
      failures: 0,
      retryAt: 0,
      peersReceived: 0,
      succeeded: false,
    };
    try {
      return {
        ...entry,
        client: createTrackerClient(url, this.#options.platform, {
          maxRetransmits: UDP_ANNOUNCE_MAX_RETRANSMITS,
        }),
      };
    } catch (error) {
      return { ...entry, lastError: errorOf(error), retryAt: Number.POSITIVE_INFINITY };
    }
  }

  #dueAt(): number {
    let due = this.#nextAnnounceAt;
    if (this.#lastSuccess !== undefined) {
      const soonest = this.#lastSuccess.at + this.#lastSuccess.minIntervalMs;
      if (this.#completedPending) due = Math.min(due, this.#lastSuccess.at);
      else if (this.#needPeers) due = Math.min(due, soonest);
    }
    return Math.max(due, this.#retryRoundAt);
  }

  #request(entry: TrackerEntry, event: AnnounceEvent | undefined): AnnounceRequest {
    const stats = this.#options.stats();
    const request: AnnounceRequest = {
      infoHash: this.#options.infoHash,
      peerId: this.#options.peerId,
      port: this.#options.port,
      uploaded: stats.uploaded,
      downloaded: stats.downloaded,
      left: stats.left,
      numwant: event === 'stopped' ? 0 : this.#numwant,
      key: this.#key,
    };
    if (event !== undefined) request.event = event;
    if (entry.trackerId !== undefined) request.trackerId = entry.trackerId;
    return request;
  }

  /** One BEP 12 pass: tiers in order, trackers in order, until one answers. */
  async #runRound(now: number, signal: AbortSignal): Promise<void> {
    for (const tier of this.#tiers) {
      for (const entry of [...tier]) {
        if (signal.aborted) return;
        if (entry.client === undefined || entry.retryAt > now) continue;
        if (await this.#announceTo(entry, tier, signal)) return;
      }
    }
    if (signal.aborted) return;
    // Nobody answered: come back when the first tracker's backoff ends.
    const retries = this.#tiers.flat().map((entry) => entry.retryAt);
    const clockNow = this.#options.platform.clock.now();
    this.#retryRoundAt = Math.max(clockNow + ANNOUNCE_BACKOFF_BASE_MS, Math.min(...retries));
    this.#nextAnnounceAt = Math.max(this.#nextAnnounceAt, this.#retryRoundAt);
  }

  async #announceTo(entry: TrackerEntry, tier: TrackerEntry[], roundSignal: AbortSignal): Promise<boolean> {
    const { clock } = this.#options.platform;
    const event: AnnounceEvent | undefined = !entry.startedSent
      ? 'started'
      : this.#completedPending
        ? 'completed'
        : undefined;
    const timeout = timeoutSignal(
      clock,
      entry.url.startsWith('udp') ? UDP_ANNOUNCE_TIMEOUT_MS : HTTP_ANNOUNCE_TIMEOUT_MS,
      roundSignal,
    );
    entry.updating = true;
    let response: AnnounceResponse;
    try {
      response = await entry.client!.announce(this.#request(entry, event), timeout.signal);
    } catch (error) {
      entry.updating = false;
      timeout.dispose();
      if (roundSignal.aborted) return false;
      entry.failures++;
      entry.lastError = errorOf(error);
      const backoff = Math.min(ANNOUNCE_BACKOFF_MAX_MS, ANNOUNCE_BACKOFF_BASE_MS * 2 ** (entry.failures - 1));
      entry.retryAt = clock.now() + backoff;
      return false;
    }
    entry.updating = false;
    timeout.dispose();
    const at = clock.now();
    if (event === 'started') entry.startedSent = true;
    if (event === 'completed') this.#completedPending = false;
    for (const other of this.#tiers.flat()) other.succeeded = other === entry;
    entry.failures = 0;
    entry.retryAt = 0;
    delete entry.lastError;
    entry.lastAnnounceAt = at;
    entry.intervalMs = response.intervalMs;
    entry.minIntervalMs = response.minIntervalMs;
    if (response.warning !== undefined) entry.warning = response.warning;
    else delete entry.warning;
    if (response.seeders !== undefined) entry.seeders = response.seeders;
    if (response.leechers !== undefined) entry.leechers = response.leechers;
    if (response.trackerId !== undefined) entry.trackerId = response.trackerId;
    // BEP 12: a tracker that answers moves to the front of its tier.
    tier.splice(tier.indexOf(entry), 1);
    tier.unshift(entry);
    this.#lastSuccess = { at, minIntervalMs: response.minIntervalMs };
    this.#retryRoundAt = 0;
    this.#nextAnnounceAt = at + response.intervalMs;
    const peers = filterPeers(response.peers, this.#numwant);
    entry.peersReceived += peers.length;
    if (peers.length > 0 && !this.#stopped) this.#options.onPeers(peers);
    return true;
  }
}
