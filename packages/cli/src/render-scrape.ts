/**
 * How `bitloom info --scrape` shows what each tracker said about a torrent (BEP 48 over HTTP, BEP 15 over UDP):
 * one line per tracker with its seeders, leechers and completed downloads, or why it could not tell. Tracker
 * URLs and error messages come from the torrent and the network, so they are neutralised before printing.
 */
import { oneLine, safeText } from './format.js';

/** What one tracker answered to a scrape, as `info --json` prints it under `scrape`. */
export type TrackerScrapeJson =
  | {
      url: string;
      /** BEP 12 tier, 0 first (a magnet link's trackers are one tier each). */
      tier: number;
      status: 'ok';
      seeders: number;
      leechers: number;
      /** Completed downloads the tracker has counted. */
      completed: number;
    }
  /** The tracker answered but does not know the info-hash. */
  | { url: string; tier: number; status: 'unknown' }
  | { url: string; tier: number; status: 'error'; error: { code: string; message: string } };

/** Pads URLs to a common width (capped, so one very long URL does not push every count off the screen). */
const MAX_URL_COLUMN = 60;

/** The text of the scrape section: a heading and one line per tracker. */
export function renderScrape(results: readonly TrackerScrapeJson[]): string[] {
  if (results.length === 0) return ['Scrape:       no trackers to ask'];
  const urls = results.map((result) => safeText(result.url));
  const width = Math.min(MAX_URL_COLUMN, Math.max(...urls.map((url) => url.length)));
  const lines = ['Scrape:'];
  results.forEach((result, index) => {
    lines.push(`  ${urls[index]!.padEnd(width)}  ${describeScrape(result)}`);
  });
  return lines;
}

function describeScrape(result: TrackerScrapeJson): string {
  switch (result.status) {
    case 'ok':
      return `${result.seeders} seeders, ${result.leechers} leechers, ${result.completed} completed`;
    case 'unknown':
      return 'torrent not known to this tracker';
    case 'error':
      return `error: ${oneLine(result.error.message)} (${result.error.code})`;
  }
}
