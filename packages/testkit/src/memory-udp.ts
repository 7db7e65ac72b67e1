/**
 * UDP for one virtual host of a `MemoryNetwork` (the engine's `UdpTransport`), for DHT (BEP 5) and UDP
 * tracker (BEP 15) simulations. Datagrams arrive after the network's latency as fresh copies, or are lost:
 * to `udpLossRate`, to a black-holed host, or because nobody is bound at the destination. No bandwidth limit.
 */
import { BitloomError, type UdpSocket, type UdpTransport } from '@bitloom/engine';
import type { MemoryNetwork } from './memory-network.js';

const FIRST_EPHEMERAL_PORT = 49152;
const LAST_PORT = 65535;
/** Largest UDP payload over IPv4; bigger datagrams are dropped, as the OS would refuse them. */
export const MAX_UDP_PAYLOAD = 65_507;

type MessageHandler = (data: Uint8Array, host: string, port: number) => void;

class MemoryUdpSocket implements UdpSocket {
  readonly port: number;
  handler: MessageHandler | undefined;
  closed = false;
  readonly #transport: MemoryUdpTransport;

  constructor(transport: MemoryUdpTransport, port: number) {
    this.#transport = transport;
    this.port = port;
  }

  send(data: Uint8Array, host: string, port: number): void {
    if (this.closed) return;
    this.#transport.deliver(data.slice(), this.port, host, port);
  }

  setHandler(onMessage: MessageHandler): void {
    this.handler = onMessage;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#transport.unbind(this);
  }
}

export class MemoryUdpTransport implements UdpTransport {
  readonly #network: MemoryNetwork;
  readonly address: string;
  readonly #sockets = new Map<number, MemoryUdpSocket>();
  #nextEphemeralPort = FIRST_EPHEMERAL_PORT;

  constructor(network: MemoryNetwork, address: string) {
    this.#network = network;
    this.address = address;
  }

  async bind(host: string, port: number): Promise<UdpSocket> {
    if (!this.#network.isLocalAddress(host, this.address)) {
      throw new BitloomError('NET_UDP_BIND_FAILED', `host ${this.address} cannot bind ${host}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > LAST_PORT) {
      throw new BitloomError('NET_UDP_BIND_FAILED', `invalid port ${port}`);
    }
    const boundPort = port === 0 ? this.#ephemeralPort() : port;
    if (this.#sockets.has(boundPort)) {
      throw new BitloomError('NET_UDP_BIND_FAILED', `udp ${this.address}:${boundPort} is already bound`);
    }
    const socket = new MemoryUdpSocket(this, boundPort);
    this.#sockets.set(boundPort, socket);
    return socket;
  }

  unbind(socket: MemoryUdpSocket): void {
    if (this.#sockets.get(socket.port) === socket) this.#sockets.delete(socket.port);
  }

  /** Sends one datagram from this host's `fromPort`; decides its loss now and its arrival one latency later. */
  deliver(datagram: Uint8Array, fromPort: number, host: string, port: number): void {
    const network = this.#network;
    const lost =
      datagram.length > MAX_UDP_PAYLOAD ||
      network.isBlocked(this.address, host) ||
      (network.conditions.udpLossRate > 0 && network.random.float() < network.conditions.udpLossRate);
    if (lost) {
      network.udpDatagramsDropped++;
      return;
    }
    network.clock.setTimer(network.conditions.latencyMs, () => {
      const targetHost = network.resolve(host, this.address);
      const target = targetHost === undefined ? undefined : targetHost.udp.#sockets.get(port);
      const lostOnArrival = target === undefined || target.closed || target.handler === undefined;
      if (lostOnArrival || network.isBlocked(this.address, host)) {
        network.udpDatagramsDropped++;
        return;
      }
      target!.handler!(datagram, this.address, fromPort);
    });
  }

  #ephemeralPort(): number {
    for (let tries = 0; tries <= LAST_PORT - FIRST_EPHEMERAL_PORT; tries++) {
      const port = this.#nextEphemeralPort;
      this.#nextEphemeralPort = port === LAST_PORT ? FIRST_EPHEMERAL_PORT : port + 1;
      if (!this.#sockets.has(port)) return port;
    }
    throw new BitloomError('NET_UDP_BIND_FAILED', `host ${this.address} has no free udp port`);
  }
}
