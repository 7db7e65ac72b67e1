/**
 * One TCP stream (BEP 3 peer wire traffic runs over it), adapting a `net.Socket` to the engine's `Connection`.
 * Nothing is read before the owner calls `setHandlers`: the socket stays in paused mode (Node buffers up to its
 * high-water mark) until a `data` listener is attached. Chunks are handed over as `Uint8Array` views of the
 * `Buffer` Node allocated for that read, without copying; Node never reuses them.
 */
import type { Socket } from 'node:net';
import type { Connection, ConnectionHandlers } from '@bitloom/engine';
import { SocketError } from './errors.js';
import { unmapIPv4 } from './ip-address.js';

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

  /** Takes ownership of a connected socket; `onClosed` runs once when the socket is gone. */
  constructor(socket: Socket, onClosed?: (connection: TcpConnection) => void) {
    this.#socket = socket;
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
      this.#socket.on('data', (chunk: Buffer) => {
        this.#handlers!.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      });
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
    return this.#socket.write(data);
  }

  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
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
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #reportClose(): void {
    if (this.#closeReported || this.#handlers === undefined) return;
    this.#closeReported = true;
    this.#handlers.close(this.#closeError);
  }
}
