/**
 * One TCP stream (BEP 3 peer wire traffic runs over it), adapting a `net.Socket` to the engine's `Connection`.
 * Nothing is read before the owner calls `setHandlers`: the socket stays in paused mode (Node buffers up to its
 * high-water mark) until a `data` listener is attached. Chunks are handed over as `Uint8Array` views, without
 * copying, valid only during the `data` call: outgoing sockets read into one reused `SocketReadBuffer`, accepted
 * ones into the `Buffer` Node allocated for that read. Writes made in one turn of the event loop are held and
 * sent together at its end (`setImmediate`), or as soon as they reach `COALESCE_BYTES`: a seeder serving cached
 * blocks one after another made one `writev` per 16 KiB block, the largest item of its CPU profile. Small writes
 * (a batch of 17-byte REQUESTs) are joined into one buffer: one `write` instead of a `writev` over a dozen tiny
 * buffers, each wrapped and tracked by the stream.
 */
import type { Socket } from 'node:net';
import type { Connection, ConnectionHandlers } from '@bitloom/engine';
import { SocketError } from './errors.js';
import { unmapIPv4 } from './ip-address.js';
import type { SocketReadBuffer } from './socket-read-buffer.js';

/** Held writes adding up to at most this many bytes are joined into one buffer; larger ones go out as they are. */
const JOIN_CORKED_BYTES = 4096;
/** Held writes are sent once they add up to this much, without waiting for the end of the turn. */
export const COALESCE_BYTES = 256 * 1024;

export class TcpConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #socket: Socket;
  #handlers: ConnectionHandlers | undefined;
  /** Read back-pressure asked for by the owner; honoured even before handlers are set. */
  #paused = false;
  #closed = false;
  #closeError: Error | undefined;
  #closeReported = false;
  /** Nested `cork` calls not yet undone. */
  #corkDepth = 0;
  /** Writes held while corked or until the end of this turn, in order, and their total size. */
  #corked: Uint8Array[] = [];
  #corkedBytes = 0;
  #flushScheduled = false;
  /** Set when the socket was connected with this buffer as its `onread` (it then emits no `data` events). */
  readonly #readBuffer: SocketReadBuffer | undefined;

  /**
   * Takes ownership of a connected socket; `onClosed` runs once when the socket is gone. A socket connected with
   * `readBuffer.onread` must be paused until then; its reads arrive through `readBuffer`.
   */
  constructor(socket: Socket, onClosed?: (connection: TcpConnection) => void, readBuffer?: SocketReadBuffer) {
    this.#socket = socket;
    this.#readBuffer = readBuffer;
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    // An 'error' is always followed by 'close'; keep the first error to report with it.
    socket.on('error', (error) => {
      this.#closeError ??= new SocketError('NET_CONNECTION_FAILED', `connection failed: ${error.message}`, {
        cause: error,
      });
    });
    socket.once('close', () => {
      this.#closed = true;
      onClosed?.(this);
      this.#reportClose();
    });
  }

  /** True once the socket is gone (the `close` handler has been or will be called). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sets (or replaces) the handlers and starts reading unless paused. If the connection already closed, the
   * `close` handler runs on a later microtask, never inside this call.
   */
  setHandlers(handlers: ConnectionHandlers): void {
    const first = this.#handlers === undefined;
    this.#handlers = handlers;
    if (first) {
      if (this.#readBuffer !== undefined) {
        this.#readBuffer.deliver = (chunk) => this.#handlers!.data(chunk);
      } else {
        this.#socket.on('data', (chunk: Buffer) => {
          this.#handlers!.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        });
      }
      this.#socket.on('drain', () => this.#handlers!.drain());
      if (this.#paused) this.#socket.pause();
      else this.#socket.resume();
    }
    if (this.#closed) queueMicrotask(() => this.#reportClose());
  }

  /**
   * Queues `data` for sending. Node keeps a reference to the bytes until they are sent, so the caller must not
   * modify them afterwards. Writing to a closed connection does nothing and returns false (`close` follows).
   */
  write(data: Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed || !this.#socket.writable) return false;
    this.#corked.push(data);
    this.#corkedBytes += data.byteLength;
    if (this.#corkDepth === 0) {
      if (this.#corkedBytes >= COALESCE_BYTES) this.#flushCorked();
      else this.#scheduleFlush();
    }
    // The socket signals `drain` only after a write of its own returned false, so only that is reported.
    return !this.#socket.writableNeedDrain;
  }

  get bufferedAmount(): number {
    return this.#socket.writableLength + this.#corkedBytes;
  }

  cork(): void {
    this.#corkDepth++;
  }

  uncork(): void {
    if (this.#corkDepth === 0) return;
    this.#corkDepth--;
    if (this.#corkDepth > 0) return;
    if (this.#corkedBytes >= COALESCE_BYTES) this.#flushCorked();
    else this.#scheduleFlush();
  }

  pause(): void {
    this.#paused = true;
    this.#socket.pause();
  }

  resume(): void {
    this.#paused = false;
    // Resuming before a data listener exists would let Node emit (and drop) data nobody receives.
    if (this.#handlers !== undefined) this.#socket.resume();
  }

  /** Sends FIN after queued writes; the connection closes once the peer closes its side too. */
  end(): void {
    this.#corkDepth = 0;
    this.#flushCorked();
    this.#socket.end();
  }

  destroy(): void {
    this.#corked = [];
    this.#corkedBytes = 0;
    this.#socket.destroy();
  }

  /** Sends what is held at the end of this turn of the event loop (after its I/O callbacks and microtasks). */
  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#corked.length === 0) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#corkDepth === 0) this.#flushCorked();
    });
  }

  #flushCorked(): void {
    const corked = this.#corked;
    const total = this.#corkedBytes;
    if (corked.length === 0) return;
    this.#corked = [];
    this.#corkedBytes = 0;
    if (this.#closed || this.#socket.destroyed || !this.#socket.writable) return;
    if (corked.length === 1) {
      this.#socket.write(corked[0]!);
    } else if (total <= JOIN_CORKED_BYTES) {
      const joined = new Uint8Array(total);
      let at = 0;
      for (const data of corked) {
        joined.set(data, at);
        at += data.byteLength;
      }
      this.#socket.write(joined);
    } else {
      // Large pieces of data (a block and its header): let the socket send them with one writev, uncopied.
      this.#socket.cork();
      for (const data of corked) this.#socket.write(data);
      this.#socket.uncork();
    }
  }

  #reportClose(): void {
    if (this.#closeReported || this.#handlers === undefined) return;
    this.#closeReported = true;
    this.#handlers.close(this.#closeError);
  }
}
