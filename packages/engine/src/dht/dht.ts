/**
 * The Mainline DHT node (BEP 5): one UDP socket speaking KRPC, a routing table of k-buckets, a store of peers
 * announced to us, and iterative lookups for find_node, get_peers and announce_peer. It owns no timers besides
 * per-query timeouts on the platform clock: periodic work (token rotation, pinging questionable nodes, bucket
 * refresh, peer expiry, re-bootstrap) runs from {@link Dht.tick}, which the owner calls about every 500 ms.
 *
 * ```ts
 * const socket = await platform.udp.bind('0.0.0.0', 6881);
 * const dht = new Dht({ platform, socket, bootstrap: [{ host: 'router.example', port: 6881 }] });
 * dht.start();
 * await dht.getPeers(infoHash, (peers) => connectTo(peers));
 * await dht.announce(infoHash, 6881);
 * ```
 */
import { bytesToBinaryString } from '../bencode/binary-string.js';
import type { BencodeDict } from '../bencode/types.js';
import type { Clock } from '../platform/clock.js';
import type { Hasher } from '../platform/hasher.js';
import type { UdpSocket } from '../platform/network.js';
import type { Random } from '../platform/random.js';
import { type DhtAddress, isRoutableAddress } from './compact.js';
import { DhtError } from './dht-error.js';
import { type DhtLimits, resolveDhtLimits } from './dht-limits.js';
import { IpRateLimiter } from './ip-rate-limiter.js';
import { type LookupResponder, type LookupResult, runLookup } from './iterative-lookup.js';
import { readLookupAnswer, readPeers } from './krpc-answers.js';
import { krpcDict } from './krpc-codec.js';
import { type IncomingQuery, type KrpcCounters, KrpcSocket } from './krpc-socket.js';
import { isNodeId, randomIdWithPrefix, randomNodeId, sameId } from './node-id.js';
import { PeerStore } from './peer-store.js';
import { answerQuery } from './query-responder.js';
import { RoutingTable } from './routing-table.js';
import { TokenIssuer } from './token-issuer.js';

/** Questionable nodes pinged per tick at most. */
const PINGS_PER_TICK = 2;
/** A questionable node is pinged again after this long without an answer. */
const MIN_PING_INTERVAL_MS = 60_000;
/** Housekeeping of the peer store and rate limiter runs this often. */
const SWEEP_INTERVAL_MS = 60_000;
/** Unknown queriers being verified by a ping at once. */
const MAX_VERIFYING = 32;

/** What the DHT needs from the platform. */
export interface DhtPlatform {
  readonly clock: Clock;
  readonly random: Random;
  readonly hasher: Hasher;
}

/** Options of {@link Dht}. */
export interface DhtOptions {
  platform: DhtPlatform;
  /** A bound UDP socket. The DHT sets its handler on `start()` and closes it on `stop()`. */
  socket: UdpSocket;
  /** Addresses to bootstrap from (host names are fine when the platform resolves them). */
  bootstrap: readonly DhtAddress[];
  /** Our node id; default random. Keep it across restarts (with `savedNodes`) to rejoin where we were. */
  nodeId?: Uint8Array;
  /** Nodes from {@link Dht.exportNodes} of an earlier run: asked first when bootstrapping. */
  savedNodes?: readonly (DhtAddress & { id?: Uint8Array })[];
  limits?: Partial<DhtLimits>;
}

/** A peer found through the DHT. */
export type DhtPeer = DhtAddress;

/** Result of {@link Dht.getPeers}. */
export interface DhtGetPeersResult {
  /** Distinct peers reported to `onPeers`. */
  readonly peersFound: number;
  readonly queried: number;
  readonly responded: number;
  /** Queries that timed out or were answered with an error. */
  readonly failed: number;
  /** Longest referral chain the lookup followed. */
  readonly hops: number;
  /** The k closest nodes that answered, with their write tokens. */
  readonly closest: readonly LookupResponder[];
}

/** Result of {@link Dht.announce}. */
export interface DhtAnnounceResult extends DhtGetPeersResult {
  /** Nodes that accepted our announce_peer. */
  readonly announcedTo: number;
}

/** Counters and sizes of a {@link Dht}. */
export interface DhtStats extends KrpcCounters {
  /** Nodes in the routing table. */
  nodes: number;
  buckets: number;
  /** Queries in flight. */
  pendingQueries: number;
  /** Peers stored for others' announces, and over how many info-hashes. */
  storedPeers: number;
  storedInfoHashes: number;
  /** Lookups running. */
  activeLookups: number;
}

/** Methods whose answers carry a `nodes` list (ping's does not). */
type LookupMethod = 'find_node' | 'get_peers';

export class Dht {
  readonly nodeId: Uint8Array;
  readonly limits: DhtLimits;
  readonly #platform: DhtPlatform;
  readonly #socket: UdpSocket;
  readonly #bootstrap: readonly DhtAddress[];
  readonly #savedNodes: readonly (DhtAddress & { id?: Uint8Array })[];
  readonly #routingTable: RoutingTable;
  readonly #peerStore: PeerStore;
  readonly #rateLimiter: IpRateLimiter;
  readonly #tokens: TokenIssuer;
  readonly #krpc: KrpcSocket;
  readonly #verifying = new Set<string>();
  #started = false;
  #stopped = false;
  #activeLookups = 0;
  #bootstrapping: Promise<void> | undefined;
  #lastBootstrapAt = Number.NEGATIVE_INFINITY;
  #refreshing = false;
  #lastSweepAt: number;

  constructor(options: DhtOptions) {
    const { platform } = options;
    const now = platform.clock.now();
    this.#platform = platform;
    this.#socket = options.socket;
    this.limits = resolveDhtLimits(options.limits);
    if (options.nodeId !== undefined && !isNodeId(options.nodeId)) {
      throw new DhtError('DHT_BAD_ARGUMENT', 'a node id is 20 bytes');
    }
    this.nodeId = options.nodeId?.slice() ?? randomNodeId(platform.random);
    this.#bootstrap = [...options.bootstrap];
    this.#savedNodes = [...(options.savedNodes ?? [])];
    const limits = this.limits;
    this.#routingTable = new RoutingTable(this.nodeId, limits, now);
    this.#peerStore = new PeerStore(limits);
    this.#rateLimiter = new IpRateLimiter({
      ratePerSecond: limits.queriesPerSecondPerIp,
      burst: limits.queryBurstPerIp,
      maxTracked: limits.maxTrackedIps,
    });
    this.#tokens = new TokenIssuer(platform.hasher, platform.random, limits.tokenRotationMs, now);
    this.#lastSweepAt = now;
    this.#krpc = new KrpcSocket({
      socket: options.socket,
      clock: platform.clock,
      random: platform.random,
      limits,
      rateLimiter: this.#rateLimiter,
      onQuery: (incoming) => this.#onQuery(incoming),
    });
  }

  /** Starts answering queries and bootstraps (in the background: see {@link whenBootstrapped}). */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#krpc.listen();
    this.#startBootstrap();
  }

  /** Settles when the current bootstrap lookup has converged (at once when none runs). Never rejects. */
  whenBootstrapped(): Promise<void> {
    return this.#bootstrapping ?? Promise.resolve();
  }

  /**
   * Periodic work; call about every 500 ms with the platform clock's `now()`: rotates token secrets, pings
   * questionable nodes, refreshes one stale bucket at a time, expires stored peers, re-bootstraps when the
   * table has nearly emptied.
   */
  tick(now: number): void {
    if (!this.#started || this.#stopped) return;
    this.#tokens.maybeRotate(now);
    for (const node of this.#routingTable.nodesToPing(now, PINGS_PER_TICK, MIN_PING_INTERVAL_MS)) {
      node.lastPingAt = now;
      this.#ping(node).catch(() => undefined);
    }
    if (!this.#refreshing && this.#bootstrapping === undefined) {
      const stale = this.#routingTable.bucketsToRefresh(now, this.limits.bucketRefreshMs);
      if (stale.length > 0) this.#refreshBucket(stale[0]!, now);
    }
    const tooFewNodes = this.#routingTable.size < this.limits.minNodesBeforeRebootstrap;
    if (tooFewNodes && now - this.#lastBootstrapAt >= this.limits.rebootstrapIntervalMs)
      this.#startBootstrap();
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MS) {
      this.#lastSweepAt = now;
      this.#peerStore.expire(now);
      this.#rateLimiter.sweep(now);
    }
  }

  /**
   * Looks up peers of an info-hash: an iterative get_peers lookup that calls `onPeers` with each batch of
   * peers not reported before, and resolves when the lookup has converged (or the DHT stopped).
   */
  async getPeers(infoHash: Uint8Array, onPeers: (peers: DhtPeer[]) => void): Promise<DhtGetPeersResult> {
    if (!isNodeId(infoHash)) throw new DhtError('DHT_BAD_ARGUMENT', 'an info-hash is 20 bytes');
    this.#assertStarted();
    const reported = new Set<string>();
    const report = (peers: readonly DhtPeer[]) => {
      const fresh: DhtPeer[] = [];
      for (const peer of peers) {
        const key = `${peer.host}:${peer.port}`;
        if (reported.has(key)) continue;
        reported.add(key);
        fresh.push(peer);
      }
      if (fresh.length > 0) onPeers(fresh);
    };
    // Peers announced to us count too: we may be one of the nodes closest to the info-hash.
    const now = this.#platform.clock.now();
    report(
      this.#peerStore.get(infoHashKey(infoHash), now, this.limits.maxPeersPerAnswer, this.#platform.random),
    );
    const result = await this.#lookup(infoHash, 'get_peers', (values) =>
      report(readPeers(values, this.limits.maxValuesPerResponse)),
    );
    return { ...result, peersFound: reported.size };
  }

  /**
   * Announces that we serve `infoHash` on TCP `port`: a get_peers lookup, then announce_peer (with each node's
   * token) to the k closest nodes that answered. With `impliedPort` the nodes take our UDP source port instead
   * (BEP 5 `implied_port`, for NAT). Peers met on the way go to `onPeers` when given.
   */
  async announce(
    infoHash: Uint8Array,
    port: number,
    impliedPort = false,
    onPeers?: (peers: DhtPeer[]) => void,
  ): Promise<DhtAnnounceResult> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new DhtError('DHT_BAD_ARGUMENT', `invalid port ${port}`);
    }
    const lookup = await this.getPeers(infoHash, onPeers ?? (() => undefined));
    const withToken = lookup.closest.filter((node) => node.token !== undefined);
    const acks = await Promise.all(
      withToken.map((node) =>
        this.#krpc
          .query(
            node.host,
            node.port,
            'announce_peer',
            krpcDict({
              id: this.nodeId,
              info_hash: infoHash,
              port,
              token: node.token,
              implied_port: impliedPort ? 1 : 0,
            }),
          )
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    return { ...lookup, announcedTo: acks.filter(Boolean).length };
  }

  /** Iterative find_node lookup of `target`; resolves with the k closest nodes that answered. */
  async findNode(target: Uint8Array): Promise<LookupResult> {
    if (!isNodeId(target)) throw new DhtError('DHT_BAD_ARGUMENT', 'a node id is 20 bytes');
    this.#assertStarted();
    return this.#lookup(target, 'find_node');
  }

  /** A node heard of elsewhere (a peer's PORT message, BEP 5): pinged, and added to the table if it answers. */
  addNode(host: string, port: number): void {
    if (!this.#started || this.#stopped || !isRoutableAddress(host, port)) return;
    this.#ping({ host, port }).catch(() => undefined);
  }

  /** Stops: pending queries and lookups end, the socket is closed. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#krpc.stop();
    await this.#socket.close();
  }

  stats(): DhtStats {
    return {
      ...this.#krpc.counters,
      nodes: this.#routingTable.size,
      buckets: this.#routingTable.bucketCount,
      pendingQueries: this.#krpc.pendingCount,
      storedPeers: this.#peerStore.peerCount,
      storedInfoHashes: this.#peerStore.infoHashCount,
      activeLookups: this.#activeLookups,
    };
  }

  /** The nodes of the routing table that are not bad, to persist and pass back as `savedNodes`. */
  exportNodes(): { host: string; port: number; id: Uint8Array }[] {
    const now = this.#platform.clock.now();
    return this.#routingTable
      .nodes()
      .filter((node) => this.#routingTable.stateOf(node, now) !== 'bad')
      .map((node) => ({ host: node.host, port: node.port, id: node.id.slice() }));
  }

  /** Nodes per bucket (tests, diagnostics). */
  bucketSizes(): number[] {
    return this.#routingTable.bucketSizes();
  }

  /** Lookups need the socket's handler (set by `start`); after `stop` they end at once with nothing found. */
  #assertStarted(): void {
    if (!this.#started && !this.#stopped)
      throw new DhtError('DHT_NOT_STARTED', 'call start() before lookups');
  }

  #startBootstrap(): void {
    if (this.#bootstrapping !== undefined || this.#stopped) return;
    this.#lastBootstrapAt = this.#platform.clock.now();
    const extraSeeds = [...this.#savedNodes, ...this.#bootstrap];
    this.#bootstrapping = this.#lookup(this.nodeId, 'find_node', undefined, extraSeeds).then(() => {
      this.#bootstrapping = undefined;
    });
  }

  #refreshBucket(index: number, now: number): void {
    this.#routingTable.touchBucket(index, now);
    this.#refreshing = true;
    const target = randomIdWithPrefix(this.#platform.random, this.nodeId, index);
    this.#lookup(target, 'find_node').then(() => {
      this.#refreshing = false;
    });
  }

  async #lookup(
    target: Uint8Array,
    method: LookupMethod,
    onValues?: (values: BencodeDict) => void,
    extraSeeds: readonly (DhtAddress & { id?: Uint8Array })[] = [],
  ): Promise<LookupResult> {
    const now = this.#platform.clock.now();
    const tableSeeds = this.#routingTable.closest(target, this.limits.k, now);
    // With an empty table (or a dead one), fall back to the bootstrap addresses.
    const fallback = tableSeeds.length === 0 && extraSeeds.length === 0 ? this.#bootstrap : [];
    const seeds = [...tableSeeds, ...extraSeeds, ...fallback];
    const args = method === 'find_node' ? { target } : { info_hash: target };
    this.#activeLookups++;
    try {
      return await runLookup({
        target,
        seeds,
        alpha: this.limits.alpha,
        k: this.limits.k,
        maxQueries: this.limits.maxLookupQueries,
        maxCandidates: this.limits.maxLookupCandidates,
        excludeId: this.nodeId,
        ask: async (node) => {
          const values = await this.#query(node, method, krpcDict({ id: this.nodeId, ...args }));
          onValues?.(values);
          return readLookupAnswer(values, this.limits.maxNodesPerResponse);
        },
      });
    } finally {
      this.#activeLookups--;
    }
  }

  /** One query whose answer (or failure) also updates the routing table. */
  async #query(node: DhtAddress, method: string, args: BencodeDict): Promise<BencodeDict> {
    let values: BencodeDict;
    try {
      values = await this.#krpc.query(node.host, node.port, method, args);
    } catch (error) {
      this.#routingTable.queryFailed(node.host, node.port);
      throw error;
    }
    const id = values.get('id');
    if (!isNodeId(id)) {
      this.#routingTable.queryFailed(node.host, node.port);
      throw new DhtError(
        'DHT_BAD_RESPONSE',
        `${method} answer from ${node.host}:${node.port} has no valid id`,
      );
    }
    if (sameId(id, this.nodeId)) {
      // We asked ourselves (our address came back in a nodes list).
      this.#routingTable.removeAddress(node.host, node.port);
      throw new DhtError('DHT_BAD_RESPONSE', 'answer from our own id');
    }
    if (isRoutableAddress(node.host, node.port) && values.get('ro') !== 1) {
      this.#routingTable.heardFrom(
        { id, host: node.host, port: node.port },
        this.#platform.clock.now(),
        'response',
      );
    }
    return values;
  }

  #ping(node: DhtAddress): Promise<BencodeDict> {
    return this.#query(node, 'ping', krpcDict({ id: this.nodeId }));
  }

  #onQuery(incoming: IncomingQuery): void {
    answerQuery(
      {
        ownId: this.nodeId,
        limits: this.limits,
        random: this.#platform.random,
        routingTable: this.#routingTable,
        peerStore: this.#peerStore,
        tokens: this.#tokens,
        now: () => this.#platform.clock.now(),
        respond: (to, values) => this.#krpc.respond(to, values),
        respondError: (to, code, message) =>
          this.#krpc.respondError(to.host, to.port, to.query.transactionId, code, message),
        heardFromUnknown: (id, host, port) => this.#verify(id, host, port),
      },
      incoming,
    ).catch(() => undefined);
  }

  /** Pings an unknown querier so it can enter the table once it has proven it answers. */
  #verify(id: Uint8Array, host: string, port: number): void {
    if (sameId(id, this.nodeId) || this.#verifying.size >= MAX_VERIFYING) return;
    const key = `${host}:${port}`;
    if (this.#verifying.has(key)) return;
    this.#verifying.add(key);
    this.#ping({ host, port })
      .catch(() => undefined)
      .finally(() => this.#verifying.delete(key));
  }
}

/** The info-hash key of the peer store (exported for tests that inspect stored peers). */
export function infoHashKey(infoHash: Uint8Array): string {
  return bytesToBinaryString(infoHash);
}
