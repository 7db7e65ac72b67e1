/**
 * Tunables and hard limits of the Mainline DHT (BEP 5) in one table. Every count that arrives from the network
 * (nodes and peers in a response, peers stored per info-hash, addresses tracked by the rate limiter, queries in
 * flight) is capped here, so memory stays bounded whatever remote nodes send.
 */

/** Limits of a {@link Dht}. All durations are milliseconds on the platform clock. */
export interface DhtLimits {
  /** Bucket size and the number of closest nodes a lookup converges on. BEP 5: 8. */
  k: number;
  /** Queries a lookup keeps in flight. BEP 5 suggests 3. */
  alpha: number;
  /** A query without a response after this long has failed. */
  queryTimeoutMs: number;
  /** Queries in flight at once over the whole DHT; more fail at once with `DHT_TOO_MANY_PENDING`. */
  maxPendingQueries: number;
  /** Queries one lookup may send before it stops, whatever remote nodes keep suggesting. */
  maxLookupQueries: number;
  /** Candidate nodes one lookup remembers (the closest are kept). */
  maxLookupCandidates: number;
  /** Nodes read from one `nodes` field. */
  maxNodesPerResponse: number;
  /** Peers read from one `values` field. */
  maxValuesPerResponse: number;
  /** Peers we put in one get_peers answer. */
  maxPeersPerAnswer: number;
  /** Peers stored for one info-hash; the oldest announcement gives way. */
  maxPeersPerInfoHash: number;
  /** Info-hashes stored; when full, the one with the fewest peers gives way. */
  maxInfoHashes: number;
  /** How long an announced peer is kept. */
  peerTtlMs: number;
  /** Queries per second accepted from one IP address (token bucket rate). */
  queriesPerSecondPerIp: number;
  /** Token bucket size per IP address: the burst allowed. */
  queryBurstPerIp: number;
  /** IP addresses the rate limiter tracks; the oldest entry is forgotten first. */
  maxTrackedIps: number;
  /** A token secret is replaced this often; tokens of the current and previous secret are accepted. */
  tokenRotationMs: number;
  /** A bucket unchanged for this long is refreshed with a lookup of a random id in its range. */
  bucketRefreshMs: number;
  /** A node heard from longer ago than this is questionable and gets pinged. */
  nodeQuestionableAfterMs: number;
  /** Failed queries in a row after which a node is bad and may be replaced. */
  maxNodeFailures: number;
  /** Nodes remembered per bucket as replacements for nodes that go bad. */
  replacementsPerBucket: number;
  /** A datagram bigger than this is dropped undecoded. */
  maxMessageBytes: number;
  /** Bencode values in one datagram. */
  maxMessageItems: number;
  /** With fewer nodes than this in the table the DHT re-bootstraps (at most once per `rebootstrapIntervalMs`). */
  minNodesBeforeRebootstrap: number;
  rebootstrapIntervalMs: number;
}

export const DEFAULT_DHT_LIMITS: Readonly<DhtLimits> = Object.freeze({
  k: 8,
  alpha: 3,
  queryTimeoutMs: 4_000,
  maxPendingQueries: 512,
  maxLookupQueries: 120,
  maxLookupCandidates: 128,
  maxNodesPerResponse: 16,
  maxValuesPerResponse: 100,
  maxPeersPerAnswer: 50,
  maxPeersPerInfoHash: 200,
  maxInfoHashes: 4_000,
  peerTtlMs: 30 * 60_000,
  queriesPerSecondPerIp: 50,
  queryBurstPerIp: 100,
  maxTrackedIps: 10_000,
  tokenRotationMs: 5 * 60_000,
  bucketRefreshMs: 15 * 60_000,
  nodeQuestionableAfterMs: 15 * 60_000,
  maxNodeFailures: 2,
  replacementsPerBucket: 8,
  maxMessageBytes: 8_192,
  maxMessageItems: 1_024,
  minNodesBeforeRebootstrap: 8,
  rebootstrapIntervalMs: 60_000,
});

/** The defaults overridden by `overrides`; non-positive or non-finite overrides are ignored. */
export function resolveDhtLimits(overrides: Partial<DhtLimits> = {}): DhtLimits {
  const limits: DhtLimits = { ...DEFAULT_DHT_LIMITS };
  for (const key of Object.keys(overrides) as (keyof DhtLimits)[]) {
    const value = overrides[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) limits[key] = value;
  }
  return limits;
}
