/**
 * The UDP tracker client (BEP 15). A connect exchange yields a connection id, reused for one minute; announce
 * and scrape then carry it. Requests are retransmitted after 15·2ⁿ seconds (n = 0 … `maxRetransmits`, shared by
 * the connect and announce of one operation) on the platform clock. Replies are matched by transaction id; a
 * datagram from another address, with an unknown id, too short or of the wrong action is ignored as if lost.
 * Peers come as 6-byte entries from an IPv4 tracker and 18-byte entries from an IPv6 one.
 */
import type { Clock } from '../platform/clock.js';
import type { UdpSocket, UdpTransport } from '../platform/network.js';
import type { Random } from '../platform/random.js';
import {
  type AnnounceRequest,
  type AnnounceResponse,
  clampIntervals,
  MAX_PEERS_PER_RESPONSE,
  type ScrapeResult,
} from './announce-types.js';
import { parseCompactPeers } from './compact-peers.js';
import type { TrackerClient } from './tracker-client.js';
import { TrackerError } from './tracker-error.js';
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  decodeAnnounceReply,
  decodeConnectReply,
  decodeErrorReply,
  decodeReplyHeader,
  decodeScrapeReply,
  encodeAnnounceRequest,
  encodeConnectRequest,
  encodeScrapeRequest,
  UDP_ANNOUNCE_REPLY_HEADER_BYTES,
  UDP_CONNECT_REPLY_BYTES,
  UDP_MAX_SCRAPE_HASHES,
  UDP_REPLY_HEADER_BYTES,
} from './udp-tracker-codec.js';

/** First retransmit timeout; the n-th waits 15·2ⁿ seconds. */
export const UDP_BASE_TIMEOUT_MS = 15_000;
/** BEP 15: n goes up to 8 (3840 s), about two hours in all. */
export const UDP_DEFAULT_MAX_RETRANSMITS = 8;
/** How long a connection id may be used after the tracker gave it. */
export const UDP_CONNECTION_ID_LIFETIME_MS = 60_000;

/** What the UDP client needs from the platform. */
export interface UdpTrackerPlatform {
  readonly clock: Clock;
  readonly random: Random;
  readonly udp: UdpTransport;
}

export interface UdpTrackerOptions {
  /** Highest n of the 15·2ⁿ s retransmit timeout before `TRACKER_TIMEOUT`; default 8 (BEP 15). */
  maxRetransmits?: number;
}

interface PendingRequest {
  readonly action: number;
  resolve(reply: { packet: Uint8Array; host: string }): void;
  reject(error: TrackerError): void;
}

/** Retransmit state of one operation (connect + announce, or connect + scrape). */
interface Retransmits {
  attempt: number;
}

const IPV4_LITERAL = /^\d{1,3}(\.\d{1,3}){3}$/;

export class UdpTracker implements TrackerClient {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly #platform: UdpTrackerPlatform;
  readonly #maxRetransmits: number;
  /** Replies are accepted only from the tracker's address when the URL names one (not a DNS name). */
  readonly #hostIsAddress: boolean;
  readonly #pending = new Map<number, PendingRequest>();
  #socket: Promise<UdpSocket> | undefined;
  #connection: { id: Uint8Array; expiresAt: number } | undefined;
  #closed = false;

  /** Throws `TRACKER_BAD_URL` unless `url` is `udp://host:port[/…]`. */
  constructor(url: string, platform: UdpTrackerPlatform, options: UdpTrackerOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new TrackerError('TRACKER_BAD_URL', `not a URL: ${url}`, { cause });
    }
    const port = Number(parsed.port);
    if (parsed.protocol !== 'udp:' || parsed.hostname === '' || !Number.isInteger(port) || port < 1) {
      throw new TrackerError('TRACKER_BAD_URL', `not a UDP tracker URL: ${url}`);
    }
    this.url = url;
    this.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = port;
    this.#platform = platform;
    this.#maxRetransmits = options.maxRetransmits ?? UDP_DEFAULT_MAX_RETRANSMITS;
    this.#hostIsAddress = IPV4_LITERAL.test(this.host) || this.host.includes(':');
  }

  async announce(request: AnnounceRequest, signal: AbortSignal): Promise<AnnounceResponse> {
    const retransmits: Retransmits = { attempt: 0 };
    for (;;) {
      const connection = await this.#connect(retransmits, signal);
      const reply = await this.#exchange(
        ACTION_ANNOUNCE,
        (transactionId) => encodeAnnounceRequest(connection.id, transactionId, request),
        retransmits,
        signal,
        connection.expiresAt,
      );
      if (reply === undefined) continue; // the connection id expired while retransmitting: connect again
      const fields = decodeAnnounceReply(reply.packet)!;
      const family = reply.host.includes(':') ? 6 : 4;
      return {
        ...clampIntervals(fields.interval, undefined),
        peers: parseCompactPeers(fields.peerBytes, family, MAX_PEERS_PER_RESPONSE),
        seeders: fields.seeders,
        leechers: fields.leechers,
      };
    }
  }

  async scrape(infoHashes: readonly Uint8Array[], signal: AbortSignal): Promise<ScrapeResult[]> {
    const results: ScrapeResult[] = [];
    for (let start = 0; start < infoHashes.length; start += UDP_MAX_SCRAPE_HASHES) {
      const batch = infoHashes.slice(start, start + UDP_MAX_SCRAPE_HASHES);
      const retransmits: Retransmits = { attempt: 0 };
      for (;;) {
        const connection = await this.#connect(retransmits, signal);
        const reply = await this.#exchange(
          ACTION_SCRAPE,
          (transactionId) => encodeScrapeRequest(connection.id, transactionId, batch),
          retransmits,
          signal,
          connection.expiresAt,
        );
        if (reply === undefined) continue;
        results.push(...decodeScrapeReply(reply.packet, batch));
        break;
      }
    }
    return results;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of [...this.#pending.values()]) {
      pending.reject(new TrackerError('TRACKER_ABORTED', `${this.url}: client closed`));
    }
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined)
      await socket.then(
        (bound) => bound.close(),
        () => {},
      );
  }

  async #connect(
    retransmits: Retransmits,
    signal: AbortSignal,
  ): Promise<{ id: Uint8Array; expiresAt: number }> {
    const clock = this.#platform.clock;
    if (this.#connection !== undefined && clock.now() < this.#connection.expiresAt) return this.#connection;
    const reply = await this.#exchange(ACTION_CONNECT, encodeConnectRequest, retransmits, signal);
    this.#connection = {
      id: decodeConnectReply(reply!.packet)!,
      expiresAt: clock.now() + UDP_CONNECTION_ID_LIFETIME_MS,
    };
    return this.#connection;
  }

  #bind(): Promise<UdpSocket> {
    this.#socket ??= this.#platform.udp.bind(this.host.includes(':') ? '::' : '0.0.0.0', 0).then(
      (socket) => {
        socket.setHandler((packet, host, port) => this.#onDatagram(packet, host, port));
        return socket;
      },
      (cause: unknown) => {
        this.#socket = undefined;
        throw new TrackerError('TRACKER_UDP_BIND', `${this.url}: cannot bind a UDP socket`, { cause });
      },
    );
    return this.#socket;
  }

  /**
   * Sends one request until its reply arrives, retransmitting on the 15·2ⁿ s schedule. Resolves undefined when
   * `connectionExpiresAt` passes before a (re)send: the caller must connect again.
   */
  async #exchange(
    action: number,
    build: (transactionId: number) => Uint8Array,
    retransmits: Retransmits,
    signal: AbortSignal,
    connectionExpiresAt?: number,
  ): Promise<{ packet: Uint8Array; host: string } | undefined> {
    if (this.#closed) throw new TrackerError('TRACKER_ABORTED', `${this.url}: client closed`);
    if (signal.aborted) throw new TrackerError('TRACKER_ABORTED', `${this.url}: cancelled`);
    const socket = await this.#bind();
    const { clock, random } = this.#platform;
    const transactionId = this.#newTransactionId(random);
    const packet = build(transactionId);
    return new Promise((resolve, reject) => {
      let cancelTimer = () => {};
      const settle = () => {
        cancelTimer();
        this.#pending.delete(transactionId);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        settle();
        reject(new TrackerError('TRACKER_ABORTED', `${this.url}: cancelled`));
      };
      const send = () => {
        if (connectionExpiresAt !== undefined && clock.now() >= connectionExpiresAt) {
          settle();
          resolve(undefined);
          return;
        }
        socket.send(packet, this.host, this.port);
        cancelTimer = clock.setTimer(UDP_BASE_TIMEOUT_MS * 2 ** retransmits.attempt, () => {
          if (retransmits.attempt >= this.#maxRetransmits) {
            settle();
            reject(
              new TrackerError(
                'TRACKER_TIMEOUT',
                `${this.url}: no reply after ${retransmits.attempt + 1} tries`,
              ),
            );
            return;
          }
          retransmits.attempt++;
          send();
        });
      };
      this.#pending.set(transactionId, {
        action,
        resolve: (reply) => {
          settle();
          resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      send();
    });
  }

  #newTransactionId(random: Random): number {
    for (;;) {
      const bytes = random.bytes(4);
      const id = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
      if (!this.#pending.has(id)) return id;
    }
  }

  #onDatagram(packet: Uint8Array, host: string, port: number): void {
    if (port !== this.port) return;
    if (this.#hostIsAddress && host.toLowerCase() !== this.host.toLowerCase()) return;
    const header = decodeReplyHeader(packet);
    if (header === undefined) return;
    const pending = this.#pending.get(header.transactionId);
    if (pending === undefined) return;
    if (header.action === ACTION_ERROR) {
      pending.reject(new TrackerError('TRACKER_FAILURE', `tracker failure: ${decodeErrorReply(packet)}`));
      return;
    }
    if (header.action !== pending.action) return;
    const minimum =
      pending.action === ACTION_CONNECT
        ? UDP_CONNECT_REPLY_BYTES
        : pending.action === ACTION_ANNOUNCE
          ? UDP_ANNOUNCE_REPLY_HEADER_BYTES
          : UDP_REPLY_HEADER_BYTES;
    if (packet.length < minimum) return;
    pending.resolve({ packet, host });
  }
}
