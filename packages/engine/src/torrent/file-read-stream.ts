/**
 * A read stream over a byte range of one file that reads while the torrent downloads: each `next()` waits until
 * the piece holding the next bytes has passed its hash check and been written (the torrent's `piece` event), then
 * reads from storage and yields a copy. While it waits, its owner (`FileStreams`) makes the pieces ahead of it
 * time-critical. An async iterator (`for await`), with no platform stream type: Node's `Readable.from(stream)`
 * and the web's `ReadableStream.from(stream)` both take it. `return()` / `close()` or the abort signal end it and
 * drop its read-ahead window; a stopped or failed torrent ends it with a `StreamError`.
 */
import { BitloomError } from '../errors.js';
import { READ_CHUNK_SIZE } from '../storage/read-cache.js';

export type StreamErrorCode =
  | 'STREAM_BAD_RANGE'
  | 'STREAM_ABORTED'
  | 'STREAM_TORRENT_STOPPED'
  | 'STREAM_TORRENT_ERROR'
  | 'STREAM_FILE_SKIPPED'
  | 'STREAM_READ_FAILED';

/** Why a file read stream ended early (or could not be opened: `STREAM_BAD_RANGE`, a caller bug). */
export class StreamError extends BitloomError {
  declare readonly code: StreamErrorCode;

  constructor(code: StreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StreamError';
  }
}

/** What a stream needs from the torrent (through `FileStreams`). */
export interface StreamReader {
  readonly pieceLength: number;
  have(piece: number): boolean;
  /** 0: the piece is not to be downloaded (its files are skipped). */
  piecePriority(piece: number): number;
  read(piece: number, begin: number, length: number): Promise<Uint8Array>;
  now(): number;
  /** The stream moved to another piece, started or stopped waiting, or ended. */
  changed(stream: FileReadStream): void;
}

export interface ReadStreamOptions {
  /** First byte, inside the file (default 0). */
  readonly start?: number;
  /** Last byte, inclusive, as in HTTP ranges and Node's `fs.createReadStream` (default: the file's last byte). */
  readonly end?: number;
  readonly signal?: AbortSignal;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class FileReadStream implements AsyncIterableIterator<Uint8Array> {
  /** Next byte to read, as an offset in the torrent's data. */
  #position: number;
  /** One past the last byte, as an offset in the torrent's data. */
  readonly #end: number;
  #ended = false;
  #error: StreamError | undefined;
  #waiter: { piece: number; since: number; wake: () => void } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onAbort = () => this.fail(new StreamError('STREAM_ABORTED', 'the read stream was aborted'));

  constructor(
    private readonly reader: StreamReader,
    /** Torrent offsets [from, to). */
    from: number,
    to: number,
    private readonly signal?: AbortSignal,
  ) {
    this.#position = from;
    this.#end = to;
    if (signal?.aborted) this.#onAbort();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The piece this stream reads next and its last one, and since when it waits (undefined: not waiting). */
  get position(): { next: number; last: number; waitingSince: number | undefined } {
    const length = this.reader.pieceLength;
    return {
      next: Math.floor(this.#position / length),
      last: Math.floor((this.#end - 1) / length),
      waitingSince: this.#waiter?.since,
    };
  }

  /** True once it has ended (read to the end, closed, aborted or failed): it holds no window any more. */
  get ended(): boolean {
    return this.#ended;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next bytes, in order; calls are served one after another. */
  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const result = this.#queue.then(() => this.#next());
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Ends the stream (a `for await` loop left early calls this): its read-ahead window is dropped. */
  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#finish();
    return DONE;
  }

  close(): Promise<void> {
    this.#finish();
    return Promise.resolve();
  }

  /** Called by the owner when `piece` has been verified. */
  pieceVerified(piece: number): void {
    if (this.#waiter?.piece === piece) this.#waiter.wake();
  }

  /** Ends the stream with an error: the pending and every later `next()` reject with it. */
  fail(error: StreamError): void {
    if (this.#ended) return;
    this.#error = error;
    this.#finish();
  }

  async #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    while (true) {
      if (this.#error) throw this.#error;
      if (this.#ended) return DONE;
      if (this.#position >= this.#end) {
        this.#finish();
        return DONE;
      }
      const pieceLength = this.reader.pieceLength;
      const piece = Math.floor(this.#position / pieceLength);
      if (!this.reader.have(piece)) {
        if (this.reader.piecePriority(piece) === 0) {
          this.fail(
            new StreamError('STREAM_FILE_SKIPPED', `piece ${piece} is not being downloaded (priority 0)`),
          );
          continue;
        }
        await this.#waitFor(piece);
        continue;
      }
      // One aligned read-cache chunk at most, so reads share the cache peers' uploads use.
      const begin = this.#position - piece * pieceLength;
      const chunkEnd = (Math.floor(begin / READ_CHUNK_SIZE) + 1) * READ_CHUNK_SIZE;
      const length = Math.min(chunkEnd, pieceLength, this.#end - piece * pieceLength) - begin;
      let data: Uint8Array;
      try {
        data = await this.reader.read(piece, begin, length);
      } catch (error) {
        // The piece vanished from storage: the torrent fetches it again, and we wait for it.
        if (!this.reader.have(piece)) continue;
        this.fail(new StreamError('STREAM_READ_FAILED', `cannot read piece ${piece}`, { cause: error }));
        continue;
      }
      if (this.#ended) continue;
      this.#position += data.length;
      if (Math.floor(this.#position / pieceLength) !== piece) this.reader.changed(this);
      // A copy: the bytes come from the cache peers are served from, which must not change under them.
      return { done: false, value: data.slice() };
    }
  }

  #waitFor(piece: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiter = {
        piece,
        since: this.reader.now(),
        wake: () => {
          this.#waiter = undefined;
          resolve();
        },
      };
      this.reader.changed(this);
    });
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.signal?.removeEventListener('abort', this.#onAbort);
    this.#waiter?.wake();
    this.reader.changed(this);
  }
}
