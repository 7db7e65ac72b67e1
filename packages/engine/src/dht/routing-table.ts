/**
 * The routing table of the Mainline DHT (BEP 5): k-buckets indexed by how many leading bits a node's id shares
 * with ours. Bucket i (below the last) holds nodes sharing exactly i bits; the last bucket holds everything
 * closer and is split when it overflows, so the table is finest around our own id. Nodes are good (heard from
 * recently), questionable (silent for a while: pinged from the tick) or bad (failed queries in a row: replaced
 * by the freshest node of the bucket's replacement cache). Only nodes that answered one of our queries are
 * inserted; a query from an unknown node only refreshes a node already in the table.
 */
import type { DhtContact } from './compact.js';
import { commonPrefixBits, compareDistance, idToHex, NODE_ID_BITS } from './node-id.js';

/** A node in the table. Timestamps are platform clock milliseconds. */
export interface RoutingNode {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly host: string;
  readonly port: number;
  /** Last response to one of our queries. */
  lastResponseAt: number;
  /** Last query or response we got from it. */
  lastSeenAt: number;
  /** Failed queries in a row. */
  failures: number;
  /** Last time the tick pinged it as questionable. */
  lastPingAt: number;
}

/** The health of a node (BEP 5). */
export type NodeState = 'good' | 'questionable' | 'bad';

interface Bucket {
  nodes: RoutingNode[];
  /** Verified nodes waiting for a slot, freshest last. */
  replacements: RoutingNode[];
  /** Last time a node was added to or answered from this bucket. */
  lastChangedAt: number;
}

export interface RoutingTableOptions {
  k: number;
  replacementsPerBucket: number;
  maxNodeFailures: number;
  nodeQuestionableAfterMs: number;
}

/** What {@link RoutingTable.heardFrom} did with a node. */
export type HeardFromOutcome = 'added' | 'updated' | 'replacement' | 'ignored';

export class RoutingTable {
  readonly ownId: Uint8Array;
  readonly #options: RoutingTableOptions;
  readonly #buckets: Bucket[];
  /** "host:port" → node, so one address holds one id at a time. */
  readonly #byAddress = new Map<string, RoutingNode>();
  readonly #byId = new Map<string, RoutingNode>();

  constructor(ownId: Uint8Array, options: RoutingTableOptions, now: number) {
    this.ownId = ownId;
    this.#options = options;
    this.#buckets = [{ nodes: [], replacements: [], lastChangedAt: now }];
  }

  /** Nodes in the table (not counting replacements). */
  get size(): number {
    return this.#byId.size;
  }

  get bucketCount(): number {
    return this.#buckets.length;
  }

  /** The state of a node at `now`. */
  stateOf(node: RoutingNode, now: number): NodeState {
    if (node.failures >= this.#options.maxNodeFailures) return 'bad';
    return now - node.lastSeenAt < this.#options.nodeQuestionableAfterMs ? 'good' : 'questionable';
  }

  /**
   * Records that a node answered us (`response`) or queried us (`query`). A responding node is inserted when
   * its bucket has room, can be split, or holds a bad node; otherwise it waits among the replacements.
   */
  heardFrom(contact: DhtContact, now: number, how: 'response' | 'query'): HeardFromOutcome {
    if (commonPrefixBits(contact.id, this.ownId) === NODE_ID_BITS) return 'ignored';
    const idHex = idToHex(contact.id);
    const addressKey = `${contact.host}:${contact.port}`;
    const known = this.#byId.get(idHex);
    if (known !== undefined) {
      // An id claimed from a second address is not trusted: keep the node we verified.
      if (known.host !== contact.host || known.port !== contact.port) return 'ignored';
      known.lastSeenAt = now;
      if (how === 'response') {
        known.lastResponseAt = now;
        known.failures = 0;
        this.#buckets[this.#bucketIndex(contact.id)]!.lastChangedAt = now;
      }
      return 'updated';
    }
    if (how !== 'response') return 'ignored';
    // The node at this address restarted with a new id: the old entry is stale.
    const previous = this.#byAddress.get(addressKey);
    if (previous !== undefined) this.#remove(previous);

    const node: RoutingNode = {
      id: contact.id,
      idHex,
      host: contact.host,
      port: contact.port,
      lastResponseAt: now,
      lastSeenAt: now,
      failures: 0,
      lastPingAt: now,
    };
    for (;;) {
      const index = this.#bucketIndex(node.id);
      const bucket = this.#buckets[index]!;
      if (bucket.nodes.length < this.#options.k) {
        this.#insert(bucket, node, now);
        return 'added';
      }
      if (index === this.#buckets.length - 1 && this.#buckets.length < NODE_ID_BITS) {
        this.#splitLastBucket(now);
        continue;
      }
      const badIndex = bucket.nodes.findIndex((n) => this.stateOf(n, now) === 'bad');
      if (badIndex >= 0) {
        this.#forget(bucket.nodes[badIndex]!);
        bucket.nodes.splice(badIndex, 1);
        this.#insert(bucket, node, now);
        return 'added';
      }
      const duplicate = bucket.replacements.findIndex((n) => n.idHex === idHex);
      if (duplicate >= 0) bucket.replacements.splice(duplicate, 1);
      bucket.replacements.push(node);
      if (bucket.replacements.length > this.#options.replacementsPerBucket) bucket.replacements.shift();
      return 'replacement';
    }
  }

  /**
   * Records a failed query to the node at this address. A node that turns bad is swapped for the freshest
   * replacement when there is one; otherwise it stays, marked bad, until a new node takes its slot.
   */
  queryFailed(host: string, port: number): void {
    const node = this.#byAddress.get(`${host}:${port}`);
    if (node === undefined) return;
    node.failures++;
    if (node.failures < this.#options.maxNodeFailures) return;
    const bucket = this.#buckets[this.#bucketIndex(node.id)]!;
    let replacement = bucket.replacements.pop();
    while (replacement !== undefined && this.#conflicts(replacement)) replacement = bucket.replacements.pop();
    if (replacement === undefined) return;
    this.#remove(node);
    this.#insert(bucket, replacement, replacement.lastSeenAt);
  }

  /** Removes the node at this address (e.g. it turned out to be ourselves). */
  removeAddress(host: string, port: number): void {
    const node = this.#byAddress.get(`${host}:${port}`);
    if (node !== undefined) this.#remove(node);
  }

  /** The `count` nodes closest to `target` that are not bad. */
  closest(target: Uint8Array, count: number, now: number): RoutingNode[] {
    const candidates: RoutingNode[] = [];
    for (const node of this.#byId.values()) if (this.stateOf(node, now) !== 'bad') candidates.push(node);
    candidates.sort((a, b) => compareDistance(target, a.id, b.id));
    return candidates.slice(0, count);
  }

  /** Questionable nodes not pinged within `minPingIntervalMs`, least recently seen first, at most `max`. */
  nodesToPing(now: number, max: number, minPingIntervalMs: number): RoutingNode[] {
    const due: RoutingNode[] = [];
    for (const node of this.#byId.values()) {
      if (this.stateOf(node, now) === 'questionable' && now - node.lastPingAt >= minPingIntervalMs) {
        due.push(node);
      }
    }
    due.sort((a, b) => a.lastSeenAt - b.lastSeenAt);
    return due.slice(0, max);
  }

  /** Indices of buckets unchanged for `refreshAfterMs`. */
  bucketsToRefresh(now: number, refreshAfterMs: number): number[] {
    const stale: number[] = [];
    this.#buckets.forEach((bucket, index) => {
      if (now - bucket.lastChangedAt >= refreshAfterMs) stale.push(index);
    });
    return stale;
  }

  /** Marks a bucket as refreshed (a refresh lookup was started for it). */
  touchBucket(index: number, now: number): void {
    const bucket = this.#buckets[index];
    if (bucket !== undefined) bucket.lastChangedAt = now;
  }

  /** Every node in the table, bucket by bucket. */
  nodes(): RoutingNode[] {
    return this.#buckets.flatMap((bucket) => bucket.nodes);
  }

  /** Nodes per bucket, for tests and stats. */
  bucketSizes(): number[] {
    return this.#buckets.map((bucket) => bucket.nodes.length);
  }

  #bucketIndex(id: Uint8Array): number {
    return Math.min(commonPrefixBits(id, this.ownId), this.#buckets.length - 1);
  }

  #insert(bucket: Bucket, node: RoutingNode, now: number): void {
    bucket.nodes.push(node);
    bucket.lastChangedAt = now;
    this.#byId.set(node.idHex, node);
    this.#byAddress.set(`${node.host}:${node.port}`, node);
  }

  /** Whether a waiting replacement's id or address got into the table since it was cached. */
  #conflicts(node: RoutingNode): boolean {
    return this.#byId.has(node.idHex) || this.#byAddress.has(`${node.host}:${node.port}`);
  }

  #forget(node: RoutingNode): void {
    this.#byId.delete(node.idHex);
    const key = `${node.host}:${node.port}`;
    if (this.#byAddress.get(key) === node) this.#byAddress.delete(key);
  }

  #remove(node: RoutingNode): void {
    const bucket = this.#buckets[this.#bucketIndex(node.id)]!;
    const index = bucket.nodes.indexOf(node);
    if (index >= 0) bucket.nodes.splice(index, 1);
    this.#forget(node);
  }

  #splitLastBucket(now: number): void {
    const splitBits = this.#buckets.length - 1;
    const last = this.#buckets[splitBits]!;
    const closer: Bucket = { nodes: [], replacements: [], lastChangedAt: now };
    const sharesMore = (node: RoutingNode) => commonPrefixBits(node.id, this.ownId) > splitBits;
    closer.nodes = last.nodes.filter(sharesMore);
    closer.replacements = last.replacements.filter(sharesMore);
    last.nodes = last.nodes.filter((node) => !sharesMore(node));
    last.replacements = last.replacements.filter((node) => !sharesMore(node));
    this.#buckets.push(closer);
  }
}
