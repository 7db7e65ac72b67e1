/**
 * An in-memory `HttpClient` for tracker tests: URLs are answered by handlers the test registers, in virtual
 * time. A handler may return a response, throw an `HttpError` (e.g. `HTTP_CONNECT_FAILED`), or never settle (a
 * black hole the caller's signal must end). Unrouted URLs fail with `HTTP_CONNECT_FAILED`, like a host that is
 * down. It enforces `maxBytes` like a real client so size limits are tested on every platform.
 */
import { type HttpClient, HttpError, type HttpGetOptions, type HttpResponse } from '@bitloom/engine';

/** Answers one request. `url` is the full URL as requested, including the query string. */
export type MemoryHttpHandler = (url: string) => HttpResponse | Promise<HttpResponse>;

/** A request the client saw, for assertions. */
export interface MemoryHttpRequest {
  readonly url: string;
}

export class MemoryHttpClient implements HttpClient {
  readonly #routes: { prefix: string; handler: MemoryHttpHandler }[] = [];
  /** Every request made, in order. */
  readonly requests: MemoryHttpRequest[] = [];

  /** Answers every URL starting with `prefix` (the most recently added matching route wins). */
  route(prefix: string, handler: MemoryHttpHandler): void {
    this.#routes.unshift({ prefix, handler });
  }

  get(url: string, options: HttpGetOptions): Promise<HttpResponse> {
    this.requests.push({ url });
    return new Promise<HttpResponse>((resolve, reject) => {
      if (options.signal.aborted) {
        reject(new HttpError('HTTP_ABORTED', `GET ${url}: aborted`));
        return;
      }
      const onAbort = () => reject(new HttpError('HTTP_ABORTED', `GET ${url}: aborted`));
      options.signal.addEventListener('abort', onAbort, { once: true });
      const route = this.#routes.find((candidate) => url.startsWith(candidate.prefix));
      if (route === undefined) {
        options.signal.removeEventListener('abort', onAbort);
        reject(new HttpError('HTTP_CONNECT_FAILED', `GET ${url}: no route`));
        return;
      }
      Promise.resolve()
        .then(() => route.handler(url))
        .then(
          (response) => {
            options.signal.removeEventListener('abort', onAbort);
            if (response.body.length > options.maxBytes) {
              reject(new HttpError('HTTP_TOO_LARGE', `GET ${url}: body over ${options.maxBytes} bytes`));
            } else {
              resolve(response);
            }
          },
          (error: unknown) => {
            options.signal.removeEventListener('abort', onAbort);
            reject(
              error instanceof HttpError
                ? error
                : new HttpError('HTTP_CONNECT_FAILED', `GET ${url}: ${String(error)}`, { cause: error }),
            );
          },
        );
    });
  }
}
