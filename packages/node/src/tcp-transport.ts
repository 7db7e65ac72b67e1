/**
 * TCP for the peer wire protocol (BEP 3) on `node:net`: outgoing connections with caller-owned cancellation,
 * and listeners for incoming peers. Nagle is disabled on every socket (`setNoDelay`): requests and HAVEs are
 * small and latency-sensitive, and the engine batches with `cork` itself. Outgoing sockets read into one reused
 * buffer each (`SocketReadBuffer`); Node 20 cannot do that for accepted ones.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { Connection, Listener, TcpTransport } from '@bitloom/engine';
import { SocketError } from './errors.js';
import { isValidPort } from './ip-address.js';
import { SocketReadBuffer } from './socket-read-buffer.js';
import { TcpConnection } from './tcp-connection.js';

export class NodeTcpTransport implements TcpTransport {
  readonly #connections = new Set<TcpConnection>();
  readonly #servers = new Set<Server>();

  /**
   * Connects to host:port. Rejects with a `SocketError` (`NET_CONNECT_FAILED`, or `NET_CONNECT_ABORTED` when
   * `signal` aborts); the half-open socket is destroyed either way.
   */
  connect(host: string, port: number, signal: AbortSignal): Promise<Connection> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(
          new SocketError('NET_CONNECT_ABORTED', `connect to ${host}:${port} aborted`, {
            cause: signal.reason,
          }),
        );
        return;
      }
      if (!isValidPort(port)) {
        reject(new SocketError('NET_CONNECT_FAILED', `connect to ${host}:${port}: invalid port`));
        return;
      }
      let socket: Socket;
      const readBuffer = new SocketReadBuffer();
      try {
        socket = netConnect({ host, port, noDelay: true, onread: readBuffer.onread });
        // Node reads from connect on; nothing may arrive before the connection has handlers.
        socket.pause();
      } catch (cause) {
        reject(
          new SocketError('NET_CONNECT_FAILED', `connect to ${host}:${port}: ${String(cause)}`, { cause }),
        );
        return;
      }
      const cleanup = () => {
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        socket.off('connect', onConnect);
      };
      const onAbort = () => {
        cleanup();
        socket.destroy();
        reject(
          new SocketError('NET_CONNECT_ABORTED', `connect to ${host}:${port} aborted`, {
            cause: signal.reason,
          }),
        );
      };
      const onError = (cause: Error) => {
        cleanup();
        socket.destroy();
        reject(
          new SocketError('NET_CONNECT_FAILED', `connect to ${host}:${port}: ${cause.message}`, { cause }),
        );
      };
      const onConnect = () => {
        // Adopt first, so an error listener is attached before the connect-phase one is removed.
        const connection = this.#adopt(socket, readBuffer);
        cleanup();
        resolve(connection);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', onConnect);
    });
  }

  /** Listens on host:port (port 0 picks a free port); rejects with `NET_LISTEN_FAILED`. */
  listen(host: string, port: number, onConnection: (connection: Connection) => void): Promise<Listener> {
    return new Promise((resolve, reject) => {
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        reject(new SocketError('NET_LISTEN_FAILED', `listen on ${host}:${port}: invalid port`));
        return;
      }
      const server = createServer({ noDelay: true });
      server.on('connection', (socket) => {
        socket.setNoDelay(true);
        onConnection(this.#adopt(socket));
      });
      const onListenError = (cause: Error) => {
        server.close();
        reject(
          new SocketError('NET_LISTEN_FAILED', `listen on ${host}:${port}: ${cause.message}`, { cause }),
        );
      };
      server.once('error', onListenError);
      server.listen({ host, port }, () => {
        server.off('error', onListenError);
        // Later errors are failed accepts (e.g. EMFILE): the listener keeps going and the peer retries.
        server.on('error', () => {});
        this.#servers.add(server);
        const address = server.address();
        const boundPort = typeof address === 'object' && address !== null ? address.port : port;
        resolve({ port: boundPort, close: () => this.#closeServer(server) });
      });
    });
  }

  /** Stops every listener and destroys every open connection (their `close` handlers run). */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.destroy();
    await Promise.all([...this.#servers].map((server) => this.#closeServer(server)));
  }

  /**
   * Stops accepting. Established connections are not touched: their owners close them. Resolves once the
   * listening socket is released (on the next turn of the event loop).
   */
  #closeServer(server: Server): Promise<void> {
    if (!this.#servers.delete(server)) return Promise.resolve();
    server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }

  #adopt(socket: Socket, readBuffer?: SocketReadBuffer): TcpConnection {
    const connection = new TcpConnection(socket, (closed) => this.#connections.delete(closed), readBuffer);
    this.#connections.add(connection);
    return connection;
  }
}
