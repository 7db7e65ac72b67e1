/**
 * The Node.js `HttpClient` on `node:http` / `node:https`: one GET with a bounded body (counted on the wire and
 * again after gzip/deflate decompression, so a gzip bomb stops at `maxBytes`), redirects only to http/https and
 * at most `maxRedirects`, cancelled by an `AbortSignal`. No keep-alive agent: each request owns its socket and
 * destroys it when done, so nothing lingers after a tracker answered or timed out.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import {
  HTTP_DEFAULT_MAX_REDIRECTS,
  type HttpClient,
  HttpError,
  type HttpGetOptions,
  type HttpResponse,
} from '@bitloom/engine';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class NodeHttpClient implements HttpClient {
  /** Value of the `User-Agent` header. */
  readonly userAgent: string;

  constructor(options: { userAgent?: string } = {}) {
    this.userAgent = options.userAgent ?? 'bitloom';
  }

  async get(url: string, options: HttpGetOptions): Promise<HttpResponse> {
    const maxRedirects = options.maxRedirects ?? HTTP_DEFAULT_MAX_REDIRECTS;
    let current = parseHttpUrl(url);
    for (let redirects = 0; ; redirects++) {
      const response = await this.#getOnce(current, options);
      if (!REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.location;
      if (location === undefined || location === '') {
        throw new HttpError('HTTP_BAD_REDIRECT', `GET ${current.href}: ${response.status} without Location`);
      }
      if (redirects >= maxRedirects) {
        throw new HttpError('HTTP_TOO_MANY_REDIRECTS', `GET ${url}: more than ${maxRedirects} redirects`);
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch (cause) {
        throw new HttpError('HTTP_BAD_REDIRECT', `GET ${current.href}: bad Location`, { cause });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new HttpError('HTTP_BAD_REDIRECT', `GET ${current.href}: redirect to ${next.protocol} refused`);
      }
      current = next;
    }
  }

  #getOnce(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
    const { signal, maxBytes } = options;
    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(new HttpError('HTTP_ABORTED', `GET ${url.href}: aborted`));
        return;
      }
      let settled = false;
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'GET',
        agent: false,
        headers: { 'accept-encoding': 'gzip, deflate', 'user-agent': this.userAgent, connection: 'close' },
      });
      const finish = (error: HttpError | undefined, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        request.destroy();
        if (error !== undefined) reject(error);
        else resolve(response!);
      };
      const onAbort = () => finish(new HttpError('HTTP_ABORTED', `GET ${url.href}: aborted`));
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (cause) =>
        finish(new HttpError('HTTP_CONNECT_FAILED', `GET ${url.href}: ${cause.message}`, { cause })),
      );
      request.on('response', (response) => {
        readBody(url, response, maxBytes).then(
          (body) =>
            finish(undefined, { status: response.statusCode ?? 0, body, headers: headersOf(response) }),
          (error: HttpError) => finish(error),
        );
      });
      request.end();
    });
  }
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new HttpError('HTTP_BAD_URL', `not a URL: ${url}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpError('HTTP_UNSUPPORTED_SCHEME', `unsupported scheme ${parsed.protocol}`);
  }
  return parsed;
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Reads the body, failing as soon as the raw or the decoded byte count passes `maxBytes`. */
function readBody(url: URL, response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError('HTTP_TOO_LARGE', `GET ${url.href}: body over ${maxBytes} bytes`);
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(tooLarge());
      return;
    }
    const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    let decoder: Gunzip | Inflate | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
    else if (encoding === 'deflate') decoder = createInflate();
    else if (encoding !== 'identity' && encoding !== '') {
      reject(new HttpError('HTTP_BAD_ENCODING', `GET ${url.href}: unsupported encoding ${encoding}`));
      return;
    }
    let done = false;
    const fail = (error: HttpError) => {
      if (done) return;
      done = true;
      decoder?.destroy();
      response.destroy();
      reject(error);
    };
    let wireBytes = 0;
    response.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) fail(tooLarge());
    });
    response.on('error', (cause) =>
      fail(new HttpError('HTTP_CONNECT_FAILED', `GET ${url.href}: ${cause.message}`, { cause })),
    );
    response.on('aborted', () =>
      fail(new HttpError('HTTP_CONNECT_FAILED', `GET ${url.href}: connection reset`)),
    );
    const source = decoder === undefined ? response : response.pipe(decoder);
    const chunks: Buffer[] = [];
    let decodedBytes = 0;
    // With no decoder the same 'data' events are counted twice; that's harmless: both counts are the same.
    source.on('data', (chunk: Buffer) => {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBytes) fail(tooLarge());
      else if (!done) chunks.push(chunk);
    });
    decoder?.on('error', (cause) =>
      fail(new HttpError('HTTP_BAD_ENCODING', `GET ${url.href}: ${cause.message}`, { cause })),
    );
    source.on('end', () => {
      if (done) return;
      done = true;
      const body = Buffer.concat(chunks, decodedBytes);
      resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    });
  });
}
