/**
 * The HTTP tracker client (BEP 3, with BEP 7 IPv6 peers, BEP 23 compact lists and BEP 48 scrape) over the
 * platform's `HttpClient`. The body size, redirects and scheme are bounded by the HTTP client; this file turns
 * HTTP failures into `TrackerError`s and parses the answer.
 */
import { BitloomError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../platform/http.js';
import {
  type AnnounceRequest,
  type AnnounceResponse,
  MAX_TRACKER_RESPONSE_BYTES,
  type ScrapeResult,
} from './announce-types.js';
import { parseAnnounceResponse, parseScrapeResponse } from './http-tracker-response.js';
import { buildAnnounceUrl, buildScrapeUrl, parseHttpTrackerUrl } from './http-tracker-url.js';
import type { TrackerClient } from './tracker-client.js';
import { TrackerError } from './tracker-error.js';

/** Redirects followed for one tracker request. */
export const TRACKER_MAX_REDIRECTS = 3;

export class HttpTracker implements TrackerClient {
  readonly url: string;
  readonly #http: HttpClient;

  /** Throws `TRACKER_BAD_URL` unless `url` is http: or https:. */
  constructor(url: string, http: HttpClient) {
    parseHttpTrackerUrl(url);
    this.url = url;
    this.#http = http;
  }

  async announce(request: AnnounceRequest, signal: AbortSignal): Promise<AnnounceResponse> {
    const response = await this.#get(buildAnnounceUrl(this.url, request), signal);
    try {
      return parseAnnounceResponse(response.body);
    } catch (error) {
      // A 404 page is not a bad bencode response: say what the server said.
      if (response.status !== 200 && error instanceof TrackerError && error.code === 'TRACKER_BAD_RESPONSE') {
        throw new TrackerError('TRACKER_HTTP_STATUS', `tracker answered HTTP ${response.status}`);
      }
      throw error;
    }
  }

  async scrape(infoHashes: readonly Uint8Array[], signal: AbortSignal): Promise<ScrapeResult[]> {
    const response = await this.#get(buildScrapeUrl(this.url, infoHashes), signal);
    if (response.status !== 200) {
      throw new TrackerError('TRACKER_HTTP_STATUS', `scrape answered HTTP ${response.status}`);
    }
    return parseScrapeResponse(response.body, infoHashes);
  }

  async close(): Promise<void> {}

  async #get(url: string, signal: AbortSignal): Promise<HttpResponse> {
    if (signal.aborted) throw new TrackerError('TRACKER_ABORTED', `request to ${this.url} cancelled`);
    try {
      return await this.#http.get(url, {
        signal,
        maxBytes: MAX_TRACKER_RESPONSE_BYTES,
        maxRedirects: TRACKER_MAX_REDIRECTS,
      });
    } catch (cause) {
      if (signal.aborted)
        throw new TrackerError('TRACKER_TIMEOUT', `${this.url}: no answer in time`, { cause });
      const code = cause instanceof BitloomError ? cause.code : 'HTTP_UNKNOWN';
      throw new TrackerError('TRACKER_HTTP', `${this.url}: ${code}`, { cause });
    }
  }
}
