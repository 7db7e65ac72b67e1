/**
 * One read buffer per outgoing TCP socket (BEP 3 peer wire traffic), passed to `net.connect` as `onread`: Node
 * reads straight into it instead of allocating (and later collecting) a fresh `Buffer` for every read. Each read is handed on as a view that is valid only during the `data` call (the
 * engine's `ConnectionHandlers` contract). Node 20 offers `onread` only for sockets it connects, not for ones a
 * server accepts.
 */
import type { OnReadOpts } from 'node:net';

/** Size of each connection's read buffer: large enough that a fast peer fills it with many blocks per read. */
export const SOCKET_READ_BUFFER_BYTES = 256 * 1024;

export class SocketReadBuffer {
  /** Receives each read; set by the connection once it has handlers. Reads before that are a bug (see `onread`). */
  deliver: ((chunk: Uint8Array) => void) | undefined;
  readonly #buffer: Uint8Array;

  constructor(size: number = SOCKET_READ_BUFFER_BYTES) {
    this.#buffer = new Uint8Array(size);
  }

  /**
   * The `onread` option for `net.connect`. The socket must be paused (`socket.pause()`) until `deliver` is set,
   * since Node starts reading on connect otherwise.
   */
  get onread(): OnReadOpts {
    return {
      buffer: this.#buffer,
      callback: (bytesRead: number, buffer: Uint8Array): boolean => {
        this.deliver?.(buffer.subarray(0, bytesRead));
        return true;
      },
    };
  }
}
