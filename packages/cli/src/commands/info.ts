/**
 * `bitloom info <torrent-file|magnet> [--json] [--scrape]`: what a torrent file (BEP 3) or magnet link (BEP 9)
 * holds, and with `--scrape` what each of its trackers says about the swarm (BEP 48 over HTTP, BEP 15 over UDP).
 * A tracker that fails is one line of the output, not a failure of the command: the exit code is 0 whenever the
 * torrent itself was read (see exit-codes.ts).
 */
import { BitloomError, type MagnetLink, type Metainfo, SCRAPE_TIMEOUT_MS, scrape } from '@bitloom/engine';
import { createNodePlatform, type NodePlatform } from '@bitloom/node';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { safeText } from '../format.js';
import { magnetToJson, renderMagnet } from '../render-magnet.js';
import { metainfoToJson, renderMetainfo } from '../render-metainfo.js';
import { renderScrape, type TrackerScrapeJson } from '../render-scrape.js';
import { readTorrentInput } from '../torrent-input.js';

/** Default wait for one tracker: a UDP tracker gets its first try (15 s) and one retransmit. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 20;
/** Trackers asked at the same time. */
const SCRAPE_CONCURRENCY = 8;
/** A torrent may list thousands of trackers; past this many the rest are reported as not asked. */
const MAX_SCRAPED_TRACKERS = 50;

interface InfoOptions {
  json?: boolean;
  scrape?: boolean;
  scrapeTimeout: string;
}

export function register(program: Command, context: CliContext): void {
  program
    .command('info')
    .description(
      'show what a .torrent file or magnet link holds: name, info-hash, size, pieces, files, trackers',
    )
    .argument('<torrent>', 'a .torrent file or a magnet: link')
    .option('--json', 'print one JSON object instead of text')
    .option('--scrape', "ask each tracker for the swarm's seeders, leechers and completed downloads")
    .option(
      '--scrape-timeout <seconds>',
      'how long to wait for each tracker',
      String(DEFAULT_SCRAPE_TIMEOUT_SECONDS),
    )
    .action(async (input: string, options: InfoOptions) => {
      const timeoutMs = options.scrape ? parseTimeout(options.scrapeTimeout) : 0;
      const parsed = await readTorrentInput(input);
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
