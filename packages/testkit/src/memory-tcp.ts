/**
 * TCP for one virtual host of a `MemoryNetwork` (the engine's `TcpTransport`). A connect takes one latency to
 * reach the listener (which then sees the connection) and one more for the answer (when the promise resolves).
 * Errors carry the Node platform's codes: a refusal is `NET_CONNECT_FAILED` (cause `ECONNREFUSED`); a
 * black-holed destination makes the connect hang until its signal aborts (`NET_CONNECT_ABORTED`), which is how the engine's connect timeout gets exercised.
 */
import { BitloomError, type Connection, type Listener, type TcpTransport } from '@bitloom/engine';
import { MemoryConnection } from './memory-connection.js';
import type { MemoryNetwork } from './memory-network.js';

/** Ports handed out for port-0 listens and outgoing connections, like an OS's ephemeral range. */
const FIRST_EPHEMERAL_PORT = 49152;
const LAST_PORT = 65535;

/** Refusal, with the code the Node platform uses and the errno it would carry as cause. */
function refusedError(host: string, port: number): BitloomError {
  const cause = Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), { code: 'ECONNREFUSED' });
  return new BitloomError('NET_CONNECT_FAILED', `connect to ${host}:${port}: refused`, { cause });
}

function abortError(signal: AbortSignal): BitloomError {
  return new BitloomError('NET_CONNECT_ABORTED', 'connect aborted', { cause: signal.reason });
}

export class MemoryTcpTransport implements TcpTransport {
  readonly #network: MemoryNetwork;
  readonly address: string;
  readonly #listeners = new Map<number, (connection: Connection) => void>();
  #nextEphemeralPort = FIRST_EPHEMERAL_PORT;

  constructor(network: MemoryNetwork, address: string) {
    this.#network = network;
    this.address = address;
  }

  /** Ports with a listener on this host. */
  get listeningPorts(): number[] {
    return [...this.#listeners.keys()];
  }

  async listen(
    host: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener> {
    if (!this.#network.isLocalAddress(host, this.address)) {
      throw new BitloomError('NET_LISTEN_FAILED', `host ${this.address} cannot listen on ${host}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > LAST_PORT) {
      throw new BitloomError('NET_LISTEN_FAILED', `invalid port ${port}`);
    }
    const boundPort = port === 0 ? this.#ephemeralPort() : port;
    if (this.#listeners.has(boundPort)) {
      throw new BitloomError('NET_LISTEN_FAILED', `${this.address}:${boundPort} is already listening`);
    }
    this.#listeners.set(boundPort, onConnection);
    const listeners = this.#listeners;
    return {
      port: boundPort,
      close: async () => {
        if (listeners.get(boundPort) === onConnection) listeners.delete(boundPort);
      },
    };
  }

  connect(host: string, port: number, signal: AbortSignal): Promise<Connection> {
    const network = this.#network;
    const clock = network.clock;
    const source = { address: this.address, port: this.#ephemeralPort() };
    return new Promise<Connection>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      let settled = false;
      let acceptedEnd: MemoryConnection | undefined;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        action();
      };
      const onAbort = () => {
        // The listener may already hold its end: tear it down as the abandoned handshake would.
        acceptedEnd?.reset();
        settle(() => reject(abortError(signal)));
      };
      signal.addEventListener('abort', onAbort);

      if (network.isBlocked(this.address, host)) return; // SYN lost: hang until aborted.
      clock.setTimer(network.conditions.latencyMs, () => {
        if (settled) return;
        if (network.isBlocked(this.address, host)) return;
        const target = network.resolve(host, this.address);
        const accept = target === undefined ? undefined : target.tcp.#listeners.get(port);
        if (target === undefined || accept === undefined) {
          clock.setTimer(network.conditions.latencyMs, () => settle(() => reject(refusedError(host, port))));
          return;
        }
        const [clientEnd, serverEnd] = MemoryConnection.pair(network.link, source, {
          address: target.address,
          port,
        });
        network.track(clientEnd);
        network.track(serverEnd);
        acceptedEnd = serverEnd;
        accept(serverEnd);
        clock.setTimer(network.conditions.latencyMs, () => settle(() => resolve(clientEnd)));
      });
    });
  }

  #ephemeralPort(): number {
    for (let tries = 0; tries <= LAST_PORT - FIRST_EPHEMERAL_PORT; tries++) {
      const port = this.#nextEphemeralPort;
      this.#nextEphemeralPort = port === LAST_PORT ? FIRST_EPHEMERAL_PORT : port + 1;
      if (!this.#listeners.has(port)) return port;
    }
    throw new BitloomError('NET_LISTEN_FAILED', `host ${this.address} has no free port`);
  }
}
