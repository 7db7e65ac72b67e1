/**
 * `bitloom info <torrent-file|magnet> [--json] [--scrape] [--fetch [--peer HOST:PORT]... [--timeout S]]`: what a
 * torrent file (BEP 3) or magnet link (BEP 9) holds, and with `--scrape` what each of its trackers says about the
 * swarm (BEP 48 over HTTP, BEP 15 over UDP). With `--fetch` a magnet link's info dictionary is first fetched from
 * peers over ut_metadata (BEP 9: the link's `x.pe` peers, its `tr` trackers and any `--peer`) and the torrent is
 * shown exactly as `info <file.torrent>` shows one. A tracker that fails is one line of the output, not a failure
 * of the command: the exit code is 0 whenever the torrent itself was read (see exit-codes.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BitloomError,
  type InfoDictionary,
  isTrackerUrl,
  type MagnetLink,
  type Metainfo,
  SCRAPE_TIMEOUT_MS,
  scrape,
} from '@bitloom/engine';
import { createNodePlatform, createSession, type NodePlatform } from '@bitloom/node';
import type { Command } from 'commander';
import { collect } from '../arguments.js';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { safeText } from '../format.js';
import { parsePeerAddress } from '../peer-address.js';
import { magnetToJson, renderMagnet } from '../render-magnet.js';
import { metainfoToJson, renderMetainfo } from '../render-metainfo.js';
import { renderScrape, type TrackerScrapeJson } from '../render-scrape.js';
import { readTorrentInput, type TorrentInput } from '../torrent-input.js';

/** Default wait for one tracker: a UDP tracker gets its first try (15 s) and one retransmit. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 20;
/** Trackers asked at the same time. */
const SCRAPE_CONCURRENCY = 8;
/** A torrent may list thousands of trackers; past this many the rest are reported as not asked. */
const MAX_SCRAPED_TRACKERS = 50;

/** Default wait for a magnet link's metadata (`--fetch`). */
const DEFAULT_FETCH_TIMEOUT_SECONDS = 60;
/** The longest `--timeout` accepted: an hour. */
const MAX_FETCH_TIMEOUT_SECONDS = 3600;

interface InfoOptions {
  json?: boolean;
  scrape?: boolean;
  scrapeTimeout: string;
  fetch?: boolean;
  peer?: string[];
  timeout?: string;
}

/** `info --fetch` found no peer that sent the metadata in time. */
export class MetadataFetchTimeoutError extends BitloomError {
  constructor(message: string) {
    super('CLI_METADATA_TIMEOUT', message);
    this.name = 'MetadataFetchTimeoutError';
  }
}

export function register(program: Command, context: CliContext): void {
  program
    .command('info')
    .description(
      'show what a .torrent file or magnet link holds: name, info-hash, size, pieces, files, trackers',
    )
    .argument('<torrent>', 'a .torrent file or a magnet: link')
    .option('--json', 'print one JSON object instead of text')
    .option(
      '--fetch',
      "for a magnet link: fetch the torrent's metadata from peers and show it like a .torrent file",
    )
    .option('--peer <host:port>', 'with --fetch: also ask this peer (repeatable)', collect)
    .option(
      '--timeout <seconds>',
      `with --fetch: give up after this long (default ${DEFAULT_FETCH_TIMEOUT_SECONDS})`,
    )
    .option('--scrape', "ask each tracker for the swarm's seeders, leechers and completed downloads")
    .option(
      '--scrape-timeout <seconds>',
      'how long to wait for each tracker',
      String(DEFAULT_SCRAPE_TIMEOUT_SECONDS),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  bitloom info file.torrent\n  bitloom info "magnet:?xt=urn:btih:…&tr=udp://tracker.example:6969" --fetch --json\n  bitloom info "magnet:?xt=urn:btih:…" --fetch --peer 192.0.2.7:6881 --timeout 30',
    )
    .action(async (input: string, options: InfoOptions) => {
      const timeoutMs = options.scrape ? parseTimeout(options.scrapeTimeout) : 0;
      if (!options.fetch && (options.peer !== undefined || options.timeout !== undefined)) {
        throw new UsageError('--peer and --timeout go with --fetch');
      }
      const fetchTimeoutMs = options.fetch ? parseFetchTimeout(options.timeout) : 0;
      const peers = (options.peer ?? []).map(parsePeerAddress);
      const read = await readTorrentInput(input);
      // A .torrent file already holds its metadata: --fetch has nothing to add to it.
      const parsed: TorrentInput =
        options.fetch && read.kind === 'magnet'
          ? { kind: 'torrent', metainfo: await fetchMetainfo(read.link, peers, fetchTimeoutMs) }
          : read;
      const scraped = options.scrape
        ? await scrapeTrackers(
            parsed.kind === 'torrent' ? trackersOfTorrent(parsed.metainfo) : trackersOfMagnet(parsed.link),
            parsed.kind === 'torrent' ? parsed.metainfo.infoHash : magnetInfoHash(parsed.link),
            timeoutMs,
          )
        : undefined;
      if (options.json) {
        const json = parsed.kind === 'torrent' ? metainfoToJson(parsed.metainfo) : magnetToJson(parsed.link);
        const output = scraped === undefined ? json : { ...json, scrape: scraped };
        context.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
        return;
      }
      const lines = parsed.kind === 'torrent' ? renderMetainfo(parsed.metainfo) : renderMagnet(parsed.link);
      if (scraped !== undefined) lines.push(...renderScrape(scraped));
      context.stdout.write(`${lines.join('\n')}\n`);
    });
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(seconds > 0) || seconds > SCRAPE_TIMEOUT_MS / 1000) {
    throw new UsageError(
      `--scrape-timeout ${safeText(text)}: expected seconds, above 0 and at most ${SCRAPE_TIMEOUT_MS / 1000}`,
    );
  }
  return Math.round(seconds * 1000);
}

function parseFetchTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FETCH_TIMEOUT_SECONDS * 1000;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(seconds > 0) || seconds > MAX_FETCH_TIMEOUT_SECONDS) {
    throw new UsageError(
      `--timeout ${safeText(text)}: expected seconds, above 0 and at most ${MAX_FETCH_TIMEOUT_SECONDS}`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * Fetches a magnet link's info dictionary (BEP 9) in a short-lived session, and returns it as the
 * metainfo a .torrent with the link's trackers and web seeds would hold. The session adds the torrent once the
 * metadata verifies; it is closed at once, and its download folder (a temporary one, so nothing is ever written
 * where the user works) removed.
 */
async function fetchMetainfo(
  link: MagnetLink,
  peers: readonly { host: string; port: number }[],
  timeoutMs: number,
): Promise<Metainfo> {
  const trackers = link.trackers.filter(isTrackerUrl);
  if (link.peers.length === 0 && trackers.length === 0 && peers.length === 0) {
    throw new UsageError(
      'no way to find peers: the magnet link names no tracker and no peer (x.pe); give --peer HOST:PORT',
    );
  }
  const savePath = await mkdtemp(join(tmpdir(), 'bitloom-info-'));
  try {
    // Listening (any free port) rather than not: trackers refuse an announce of port 0, and peers that hear of
    // us from a tracker may connect and offer the metadata themselves.
    const session = await createSession({ listen: { host: '0.0.0.0', port: 0 }, hashWorkers: 0 });
    try {
      const fetch = session.addMagnet(link, { savePath, peers });
      const info = await new Promise<InfoDictionary>((resolve, reject) => {
        const timer = setTimeout(() => {
          const { received, total, peers: connected } = fetch.progress();
          // When no peer was found, the trackers are the likely reason: name the first one's error.
          const failedTracker = fetch.trackers().find((tracker) => tracker.lastError !== undefined);
          const trackerTrouble =
            connected === 0 && failedTracker !== undefined
              ? `; ${safeText(failedTracker.url)}: ${failedTracker.lastError!.message}`
              : '';
          reject(
            new MetadataFetchTimeoutError(
              `no metadata within ${timeoutMs / 1000} s: ${received}/${total || '?'} pieces received, ` +
                `${connected} peer${connected === 1 ? '' : 's'} connected of ${fetch.knownPeers.size} known` +
                trackerTrouble,
            ),
          );
        }, timeoutMs);
        fetch.once('metadata', (metadata) => {
          clearTimeout(timer);
          resolve(metadata);
        });
        fetch.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      return { ...info, announce: trackers.map((url) => [url]), urlList: link.webSeeds };
    } finally {
      await session.close();
    }
  } finally {
    // The torrent's start-up may still be creating its (empty) files as the session closes: retry a busy folder.
    await rm(savePath, { recursive: true, force: true, maxRetries: 5 });
  }
}

interface TrackerEntry {
  readonly url: string;
  readonly tier: number;
}

function trackersOfTorrent(metainfo: Metainfo): TrackerEntry[] {
  return metainfo.announce.flatMap((urls, tier) => urls.map((url) => ({ url, tier })));
}

function trackersOfMagnet(link: MagnetLink): TrackerEntry[] {
  return link.trackers.map((url, tier) => ({ url, tier }));
}

/** The hash trackers know a torrent by: v1, or a v2-only torrent's SHA-256 truncated to 20 bytes (BEP 52). */
function magnetInfoHash(link: MagnetLink): Uint8Array | undefined {
  return link.infoHash ?? link.infoHashV2?.subarray(0, 20);
}

/** Scrapes every tracker (a few at a time) on a Node platform that is closed before returning. */
async function scrapeTrackers(
  trackers: readonly TrackerEntry[],
  infoHash: Uint8Array | undefined,
  timeoutMs: number,
): Promise<TrackerScrapeJson[]> {
  const results: TrackerScrapeJson[] = trackers.map(({ url, tier }, index) =>
    index < MAX_SCRAPED_TRACKERS
      ? failed(url, tier, 'CLI_SCRAPE_NOT_RUN', 'not asked')
      : failed(url, tier, 'CLI_TOO_MANY_TRACKERS', `not asked: only the first ${MAX_SCRAPED_TRACKERS} are`),
  );
  const asked = Math.min(trackers.length, MAX_SCRAPED_TRACKERS);
  if (asked === 0 || infoHash === undefined) return results;
  const platform = createNodePlatform({ hashWorkers: 0 });
  try {
    let next = 0;
    const worker = async () => {
      while (next < asked) {
        const index = next++;
        results[index] = await scrapeOne(platform, trackers[index]!, infoHash, timeoutMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCRAPE_CONCURRENCY, asked) }, worker));
  } finally {
    await platform.close();
  }
  return results;
}

async function scrapeOne(
  platform: NodePlatform,
  { url, tier }: TrackerEntry,
  infoHash: Uint8Array,
  timeoutMs: number,
): Promise<TrackerScrapeJson> {
  try {
    const entries = await scrape(url, [infoHash], platform, { timeoutMs });
    const entry = entries.find((candidate) => sameBytes(candidate.infoHash, infoHash));
    if (entry === undefined) return { url, tier, status: 'unknown' };
    return {
      url,
      tier,
      status: 'ok',
      seeders: entry.seeders,
      leechers: entry.leechers,
      completed: entry.downloaded,
    };
  } catch (error) {
    // Nothing else can cancel this scrape, so `TRACKER_ABORTED` (how the clients report their signal firing)
    // means our timeout ran out.
    if (error instanceof BitloomError && error.code === 'TRACKER_ABORTED') {
      return failed(url, tier, 'TRACKER_TIMEOUT', `no answer within ${timeoutMs / 1000} s`);
    }
    // `scrape` rejects only with TrackerError; anything else is still one line, not a crash.
    if (error instanceof BitloomError) return failed(url, tier, error.code, error.message);
    return failed(url, tier, 'CLI_SCRAPE_FAILED', error instanceof Error ? error.message : String(error));
  }
}

function failed(url: string, tier: number, code: string, message: string): TrackerScrapeJson {
  return { url, tier, status: 'error', error: { code, message } };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
