/**
 * UDP for the DHT (BEP 5), UDP trackers (BEP 15) and uTP later, on `node:dgram`. A host containing ':' binds an
 * IPv6 socket (`udp6`, dual-stack unless the OS forbids it); otherwise IPv4. Datagrams are fire-and-forget: a
 * datagram that cannot be sent (bad port, unreachable family, closed socket) is dropped like a lost one.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { UdpSocket, UdpTransport } from '@bitloom/engine';
import { SocketError } from './errors.js';
import { isValidPort, mapIPv4, unmapIPv4 } from './ip-address.js';

type MessageHandler = (data: Uint8Array, host: string, port: number) => void;

/** One bound UDP socket. Received datagrams are handed over as views of Node's fresh per-datagram Buffer. */
export class NodeUdpSocket implements UdpSocket {
  readonly port: number;
  readonly #socket: Socket;
  readonly #ipv6: boolean;
  #handler: MessageHandler | undefined;
  #closing: Promise<void> | undefined;
  #sendFailures = 0;
  readonly #onClosed: ((socket: NodeUdpSocket) => void) | undefined;

  constructor(socket: Socket, ipv6: boolean, onClosed?: (socket: NodeUdpSocket) => void) {
    this.#socket = socket;
    this.#ipv6 = ipv6;
    this.#onClosed = onClosed;
    this.port = socket.address().port;
    // Datagrams arriving before a handler is set are dropped, as if lost on the way.
    socket.on('message', (message, remote) => {
      this.#handler?.(
        new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
        unmapIPv4(remote.address),
        remote.port,
      );
    });
    socket.on('error', () => {
      this.#sendFailures++;
    });
  }

  /** Datagrams that could not be sent (dropped); for diagnostics. */
  get sendFailures(): number {
    return this.#sendFailures;
  }

  /** Sends one datagram. Node keeps a reference to `data` until it is sent: do not modify it afterwards. */
  send(data: Uint8Array, host: string, port: number): void {
    if (this.#closing !== undefined || !isValidPort(port)) {
      this.#sendFailures++;
      return;
    }
    const destination = this.#ipv6 ? mapIPv4(host) : host;
    try {
      this.#socket.send(data, port, destination, (error) => {
        if (error) this.#sendFailures++;
      });
    } catch {
      this.#sendFailures++;
    }
  }

  setHandler(onMessage: MessageHandler): void {
    this.#handler = onMessage;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#handler = undefined;
      this.#onClosed?.(this);
      this.#socket.close(() => resolve());
    });
    return this.#closing;
  }
}

export class NodeUdpTransport implements UdpTransport {
  readonly #sockets = new Set<NodeUdpSocket>();

  /** Binds host:port (port 0 picks a free port); rejects with `NET_UDP_BIND_FAILED`. */
  bind(host: string, port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        reject(new SocketError('NET_UDP_BIND_FAILED', `bind ${host}:${port}: invalid port`));
        return;
      }
      const ipv6 = host.includes(':');
      const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4' });
      const onBindError = (cause: Error) => {
        socket.close();
        reject(new SocketError('NET_UDP_BIND_FAILED', `bind ${host}:${port}: ${cause.message}`, { cause }));
      };
      socket.once('error', onBindError);
      socket.bind({ address: host, port }, () => {
        socket.off('error', onBindError);
        const udpSocket = new NodeUdpSocket(socket, ipv6, (closed) => this.#sockets.delete(closed));
        this.#sockets.add(udpSocket);
        resolve(udpSocket);
      });
    });
  }

  /** Closes every socket this transport bound. */
  async close(): Promise<void> {
    await Promise.all([...this.#sockets].map((socket) => socket.close()));
  }
}
