/**
 * An in-memory IP network for simulations: virtual hosts, each with a TCP and a UDP transport (the engine's
 * `TcpTransport` / `UdpTransport`), joined by links with a latency and a bandwidth, all driven by one
 * `VirtualClock`. Faults on demand: black-holed hosts, connection resets, UDP packet loss.
 */
import type { Random } from '@bitloom/engine';
import type { LinkConditions, MemoryConnection } from './memory-connection.js';
import { MemoryTcpTransport } from './memory-tcp.js';
import { MemoryUdpTransport } from './memory-udp.js';
import { SeededRandom } from './seeded-random.js';
import type { VirtualClock } from './virtual-clock.js';

/** Link properties of a {@link MemoryNetwork}; all can be changed later through `network.conditions`. */
export interface MemoryNetworkOptions {
  /** One-way delay in virtual ms for TCP segments and UDP datagrams. Default 1. */
  latencyMs?: number;
  /** Bytes per second per connection direction. Default `Infinity` (no limit). */
  bandwidthBytesPerSecond?: number;
  /** `write` returns false once a connection buffers this many bytes. Default 64 KiB. */
  highWaterMark?: number;
  /** Bytes in flight plus unread at the receiver before a sender stalls. Default 256 KiB. */
  receiveWindow?: number;
  /** Probability in [0, 1] that a UDP datagram is lost. Default 0. */
  udpLossRate?: number;
  /** Draws packet losses. Default `new SeededRandom(1)`. */
  random?: Random;
  /**
   * Deliver TCP reads in one reused buffer per connection end, overwritten right after each `data` call, as the
   * Connection contract allows (Node does so for outgoing sockets). Catches receivers that keep a chunk. Default
   * false: every read is a fresh array.
   */
  reuseReadBuffers?: boolean;
}

/** One virtual machine on the network. */
export interface MemoryHost {
  readonly address: string;
  readonly tcp: MemoryTcpTransport;
  readonly udp: MemoryUdpTransport;
}

/** The mutable link conditions of a network. */
export interface NetworkConditions {
  latencyMs: number;
  bandwidthBytesPerSecond: number;
  highWaterMark: number;
  receiveWindow: number;
  udpLossRate: number;
  reuseReadBuffers: boolean;
}

/** Addresses a socket may bind to that mean "this host". */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::']);

/**
 * The network. `network.host('10.0.0.1')` gives that host's transports; a connect to a host:port nobody
 * listens on is refused (`NET_CONNECT_FAILED`), also when no such host exists.
 */
export class MemoryNetwork {
  readonly clock: VirtualClock;
  readonly conditions: NetworkConditions;
  readonly random: Random;
  /** UDP datagrams lost to `udpLossRate`, black holes, or closed/missing sockets. */
  udpDatagramsDropped = 0;

  readonly #hosts = new Map<string, MemoryHost>();
  readonly #blackHoled = new Set<string>();
  readonly #openConnections = new Set<MemoryConnection>();
  /** What connections see: reads the current conditions each time. */
  readonly link: LinkConditions;

  constructor(clock: VirtualClock, options: MemoryNetworkOptions = {}) {
    this.clock = clock;
    this.random = options.random ?? new SeededRandom(1);
    this.conditions = {
      latencyMs: options.latencyMs ?? 1,
      bandwidthBytesPerSecond: options.bandwidthBytesPerSecond ?? Number.POSITIVE_INFINITY,
      highWaterMark: options.highWaterMark ?? 64 * 1024,
      receiveWindow: options.receiveWindow ?? 256 * 1024,
      udpLossRate: options.udpLossRate ?? 0,
      reuseReadBuffers: options.reuseReadBuffers ?? false,
    };
    const network = this;
    this.link = {
      clock,
      get latencyMs() {
        return network.conditions.latencyMs;
      },
      get bandwidthBytesPerSecond() {
        return network.conditions.bandwidthBytesPerSecond;
      },
      get highWaterMark() {
        return network.conditions.highWaterMark;
      },
      get receiveWindow() {
        return network.conditions.receiveWindow;
      },
      get reuseReadBuffers() {
        return network.conditions.reuseReadBuffers;
      },
      isBlocked: (a, b) => this.isBlocked(a, b),
      onClosed: (connection) => this.#openConnections.delete(connection),
    };
  }

  /** The host with this address, created on first use. */
  host(address: string): MemoryHost {
    let host = this.#hosts.get(address);
    if (host === undefined) {
      host = {
        address,
        tcp: new MemoryTcpTransport(this, address),
        udp: new MemoryUdpTransport(this, address),
      };
      this.#hosts.set(address, host);
    }
    return host;
  }

  /** The existing host for an address a socket names (`0.0.0.0` means `self`). */
  resolve(address: string, self: string): MemoryHost | undefined {
    return this.#hosts.get(WILDCARD_ADDRESSES.has(address) ? self : address);
  }

  /** Whether a socket on host `self` may bind `address`. */
  isLocalAddress(address: string, self: string): boolean {
    return address === self || WILDCARD_ADDRESSES.has(address);
  }

  /**
   * Black-holes a host, as if its cable were pulled: new connects to or from it hang (until their signal
   * aborts), open connections stall with nothing delivered, UDP to and from it is lost.
   */
  dropHost(address: string): void {
    this.#blackHoled.add(address);
  }

  /** Plugs a black-holed host back in: stalled connections resume where they stopped. */
  restoreHost(address: string): void {
    this.#blackHoled.delete(address);
    for (const connection of [...this.#openConnections]) connection.unblock();
  }

  isBlocked(hostA: string, hostB: string): boolean {
    return this.#blackHoled.has(hostA) || this.#blackHoled.has(hostB);
  }

  /** Open connection ends, optionally only those on `address` (as local or remote end). */
  connections(address?: string): MemoryConnection[] {
    return [...this.#openConnections].filter(
      (c) => address === undefined || c.localAddress === address || c.remoteAddress === address,
    );
  }

  /** Resets every connection of a host (or all): both ends get `close(NET_CONNECTION_FAILED)`. */
  resetConnections(address?: string): void {
    for (const connection of this.connections(address)) connection.reset();
  }

  /** Called by the transports when a connection is made. */
  track(connection: MemoryConnection): void {
    this.#openConnections.add(connection);
  }
}
