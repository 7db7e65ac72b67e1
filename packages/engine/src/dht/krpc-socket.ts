/**
 * KRPC over one UDP socket (BEP 5): sends queries with fresh transaction ids and matches responses and errors
 * back to them, failing a query after a timeout on the platform clock; hands incoming queries to the owner,
 * after a per-IP rate limit. A response is accepted only from the address the query went to; anything that is
 * not KRPC, answers nothing we asked, or comes from the wrong address is counted and dropped. A malformed query
 * with a readable transaction id is answered with error 203.
 */
import type { BencodeDict } from '../bencode/types.js';
import type { Clock } from '../platform/clock.js';
import type { UdpSocket } from '../platform/network.js';
import type { Random } from '../platform/random.js';
import { parseIpv4 } from './compact.js';
import { DhtError } from './dht-error.js';
import type { DhtLimits } from './dht-limits.js';
import type { IpRateLimiter } from './ip-rate-limiter.js';
import {
  decodeKrpc,
  encodeError,
  encodeQuery,
  encodeResponse,
  KRPC_PROTOCOL_ERROR,
  type KrpcQuery,
  transactionKey,
} from './krpc-codec.js';

/** bitloom's KRPC version field: client "BL", version 0.1. */
export const BITLOOM_DHT_VERSION = new Uint8Array([0x42, 0x4c, 0x00, 0x01]);
const TRANSACTION_ID_BYTES = 2;

/** Counters of a {@link KrpcSocket}. */
export interface KrpcCounters {
  queriesSent: number;
  queriesReceived: number;
  responsesReceived: number;
  errorsReceived: number;
  timeouts: number;
  /** Datagrams that were not KRPC. */
  malformedDropped: number;
  /** Responses or errors matching no query of ours (or from another address than the query went to). */
  unsolicitedDropped: number;
  /** Queries dropped by the per-IP rate limit. */
  rateLimitedDropped: number;
}

/** A query from a remote node, with where it came from. */
export interface IncomingQuery {
  readonly query: KrpcQuery;
  readonly host: string;
  readonly port: number;
}

interface PendingQuery {
  readonly host: string;
  readonly port: number;
  /** The address was an IP literal: the response must come from it exactly. */
  readonly strictHost: boolean;
  readonly resolve: (values: BencodeDict) => void;
  readonly reject: (error: DhtError) => void;
  readonly cancelTimer: () => void;
}

export interface KrpcSocketOptions {
  socket: UdpSocket;
  clock: Clock;
  random: Random;
  limits: DhtLimits;
  rateLimiter: IpRateLimiter;
  onQuery: (incoming: IncomingQuery) => void;
}

export class KrpcSocket {
  readonly counters: KrpcCounters = {
    queriesSent: 0,
    queriesReceived: 0,
    responsesReceived: 0,
    errorsReceived: 0,
    timeouts: 0,
    malformedDropped: 0,
    unsolicitedDropped: 0,
    rateLimitedDropped: 0,
  };
  readonly #options: KrpcSocketOptions;
  readonly #pending = new Map<string, PendingQuery>();
  #stopped = false;

  constructor(options: KrpcSocketOptions) {
    this.#options = options;
  }

  /** Starts receiving. */
  listen(): void {
    this.#options.socket.setHandler((data, host, port) => this.#receive(data, host, port));
  }

  /** Queries in flight. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Sends a query; resolves with the response's values (`r`), rejects with `DHT_TIMEOUT`, `DHT_REMOTE_ERROR`,
   * `DHT_TOO_MANY_PENDING` or `DHT_STOPPED`.
   */
  query(host: string, port: number, method: string, args: BencodeDict): Promise<BencodeDict> {
    if (this.#stopped) return Promise.reject(new DhtError('DHT_STOPPED', 'the DHT is stopped'));
    if (this.#pending.size >= this.#options.limits.maxPendingQueries) {
      return Promise.reject(new DhtError('DHT_TOO_MANY_PENDING', 'too many DHT queries in flight'));
    }
    const transactionId = this.#freshTransactionId();
    if (transactionId === undefined) {
      return Promise.reject(new DhtError('DHT_TOO_MANY_PENDING', 'no free transaction id'));
    }
    const key = transactionKey(transactionId);
    return new Promise<BencodeDict>((resolve, reject) => {
      const cancelTimer = this.#options.clock.setTimer(this.#options.limits.queryTimeoutMs, () => {
        if (this.#pending.get(key) !== pending) return;
        this.#pending.delete(key);
        this.counters.timeouts++;
        reject(new DhtError('DHT_TIMEOUT', `${method} to ${host}:${port} timed out`));
      });
      const pending: PendingQuery = {
        host,
        port,
        strictHost: parseIpv4(host) !== undefined,
        resolve,
        reject,
        cancelTimer,
      };
      this.#pending.set(key, pending);
      this.counters.queriesSent++;
      this.#options.socket.send(encodeQuery(transactionId, method, args, BITLOOM_DHT_VERSION), host, port);
    });
  }

  /** Answers a query. */
  respond(incoming: IncomingQuery, values: BencodeDict): void {
    if (this.#stopped) return;
    const datagram = encodeResponse(incoming.query.transactionId, values, BITLOOM_DHT_VERSION);
    this.#options.socket.send(datagram, incoming.host, incoming.port);
  }

  /** Answers a query with a KRPC error. */
  respondError(host: string, port: number, transactionId: Uint8Array, code: number, message: string): void {
    if (this.#stopped) return;
    this.#options.socket.send(encodeError(transactionId, code, message), host, port);
  }

  /** Fails every pending query with `DHT_STOPPED` and ignores all further traffic. */
  stop(): void {
    this.#stopped = true;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const query of pending) {
      query.cancelTimer();
      query.reject(new DhtError('DHT_STOPPED', 'the DHT was stopped'));
    }
  }

  #freshTransactionId(): Uint8Array | undefined {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = this.#options.random.bytes(TRANSACTION_ID_BYTES);
      if (!this.#pending.has(transactionKey(id))) return id;
    }
    return undefined;
  }

  #receive(data: Uint8Array, host: string, port: number): void {
    if (this.#stopped) return;
    const { limits } = this.#options;
    const message = decodeKrpc(data, {
      maxMessageBytes: limits.maxMessageBytes,
      maxItems: limits.maxMessageItems,
    });
    if (message.kind === 'malformed') {
      this.counters.malformedDropped++;
      if (message.wasQuery && message.transactionId !== undefined && this.#allow(host)) {
        this.respondError(host, port, message.transactionId, KRPC_PROTOCOL_ERROR, message.reason);
      }
      return;
    }
    if (message.kind === 'query') {
      if (!this.#allow(host)) {
        this.counters.rateLimitedDropped++;
        return;
      }
      this.counters.queriesReceived++;
      this.#options.onQuery({ query: message, host, port });
      return;
    }
    const key = transactionKey(message.transactionId);
    const pending = this.#pending.get(key);
    const fromQueried =
      pending !== undefined && pending.port === port && (!pending.strictHost || pending.host === host);
    if (pending === undefined || !fromQueried) {
      this.counters.unsolicitedDropped++;
      return;
    }
    this.#pending.delete(key);
    pending.cancelTimer();
    if (message.kind === 'response') {
      this.counters.responsesReceived++;
      pending.resolve(message.values);
    } else {
      this.counters.errorsReceived++;
      pending.reject(
        new DhtError(
          'DHT_REMOTE_ERROR',
          `node ${host}:${port} answered error ${message.code}: ${message.message}`,
          {
            krpcCode: message.code,
          },
        ),
      );
    }
  }

  #allow(host: string): boolean {
    return this.#options.rateLimiter.allow(host, this.#options.clock.now());
  }
}
