/** What a connection reports to its owner. Handlers run on the platform's event loop, never re-entrantly. */
export interface ConnectionHandlers {
  /**
   * Bytes arrived. The chunk is valid only during this call: the platform may reuse its memory for the next read
   * (Node reads outgoing sockets into one buffer per connection). The receiver copies whatever it keeps, and never
   * writes into the chunk.
   */
  data(chunk: Uint8Array): void;
  /** The write buffer drained after `write` returned false. */
  drain(): void;
  /** The connection is gone (closed by either side, reset, or failed). Called exactly once. */
  close(error?: Error): void;
}

/** A TCP stream. Nothing is read until `setHandlers` is called. */
export interface Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  setHandlers(handlers: ConnectionHandlers): void;
  /** Queues bytes; false means the write buffer is full: wait for `drain` before writing more. */
  write(data: Uint8Array): boolean;
  /** Bytes queued but not yet handed to the OS. */
  readonly bufferedAmount: number;
  /** Holds writes until `uncork`, so many small messages leave in one segment. */
  cork(): void;
  uncork(): void;
  /** Stop / restart delivering `data` (read back-pressure). */
  pause(): void;
  resume(): void;
  /** Ends the connection gracefully after queued writes. */
  end(): void;
  /** Drops the connection at once. */
  destroy(): void;
}

export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

export interface TcpTransport {
  /** Opens a connection; rejects on failure or when `signal` aborts (the caller owns the timeout). */
  connect(host: string, port: number, signal: AbortSignal): Promise<Connection>;
  /** Accepts connections on host:port (port 0 picks a free port). */
  listen(host: string, port: number, onConnection: (connection: Connection) => void): Promise<Listener>;
}

export interface UdpSocket {
  readonly port: number;
  send(data: Uint8Array, host: string, port: number): void;
  setHandler(onMessage: (data: Uint8Array, host: string, port: number) => void): void;
  close(): Promise<void>;
}

export interface UdpTransport {
  bind(host: string, port: number): Promise<UdpSocket>;
}
