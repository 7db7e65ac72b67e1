/**
 * HTTP GET as the engine sees it, for HTTP trackers (BEP 3, BEP 48 scrape) and later web seeds. The core never
 * opens sockets itself: Node implements this on `node:http`/`node:https`, a browser would use `fetch`, the testkit
 * serves canned responses. Every implementation bounds the body, follows only http/https redirects, and stops
 * when `signal` aborts.
 */
import { BitloomError } from '../errors.js';

/** A complete response. `headers` keys are lower case; `body` is already decompressed. */
export interface HttpResponse {
  status: number;
  body: Uint8Array;
  headers: Record<string, string>;
}

/** Options of {@link HttpClient.get}. */
export interface HttpGetOptions {
  /** Aborts the request (the caller's timeout); the promise rejects with `HTTP_ABORTED`. */
  signal: AbortSignal;
  /** Largest body accepted, counted on the wire and again after decompression (a gzip bomb is refused). */
  maxBytes: number;
  /** Redirects followed before `HTTP_TOO_MANY_REDIRECTS`; default 5. Only to http: and https:. */
  maxRedirects?: number;
}

/** One GET client per platform. Rejects only with {@link HttpError}. */
export interface HttpClient {
  get(url: string, options: HttpGetOptions): Promise<HttpResponse>;
}

/** Default redirect limit of {@link HttpGetOptions.maxRedirects}. */
export const HTTP_DEFAULT_MAX_REDIRECTS = 5;

/**
 * Codes of {@link HttpError}:
 * - `HTTP_BAD_URL` the URL does not parse
 * - `HTTP_UNSUPPORTED_SCHEME` not http: or https:
 * - `HTTP_CONNECT_FAILED` DNS, refused, reset: no response
 * - `HTTP_ABORTED` the signal aborted (usually a timeout)
 * - `HTTP_TOO_LARGE` the body exceeds `maxBytes` (on the wire or decompressed)
 * - `HTTP_BAD_ENCODING` the body claims an encoding that does not decode
 * - `HTTP_BAD_REDIRECT` a redirect without a usable `Location`, or to another scheme
 * - `HTTP_TOO_MANY_REDIRECTS` more than `maxRedirects`
 */
export type HttpErrorCode =
  | 'HTTP_BAD_URL'
  | 'HTTP_UNSUPPORTED_SCHEME'
  | 'HTTP_CONNECT_FAILED'
  | 'HTTP_ABORTED'
  | 'HTTP_TOO_LARGE'
  | 'HTTP_BAD_ENCODING'
  | 'HTTP_BAD_REDIRECT'
  | 'HTTP_TOO_MANY_REDIRECTS';

/** A failed HTTP request. */
export class HttpError extends BitloomError {
  declare readonly code: HttpErrorCode;

  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
  }
}
