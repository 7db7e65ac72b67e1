/**
 * The iterative lookup of the Mainline DHT (BEP 5, Kademlia): ask the closest known nodes about a target, learn
 * closer nodes from their answers, and keep at most α queries in flight, always to the closest candidate not
 * yet asked. The lookup has converged when the k closest candidates that did not fail have all answered and
 * nothing is in flight. It knows nothing of KRPC: the caller's `ask` sends one query and returns the nodes (and
 * whatever else) the answer held. Candidates and queries are capped, so hostile answers cannot keep it going.
 */
import type { DhtAddress, DhtContact } from './compact.js';
import { compareDistance, idToHex } from './node-id.js';

/** What one answer contributed to a lookup. */
export interface LookupAnswer {
  /** The answering node's id, as it told us. */
  readonly id: Uint8Array;
  /** Nodes closer to the target, per the answering node. */
  readonly nodes: readonly DhtContact[];
  /** get_peers: the write token for announce_peer. */
  readonly token?: Uint8Array;
}

/** A node that answered, with its token (when the query was get_peers). */
export interface LookupResponder extends DhtContact {
  readonly token: Uint8Array | undefined;
}

export interface LookupOptions {
  readonly target: Uint8Array;
  /** Where to start: routing table nodes (with ids) and bootstrap addresses (without). */
  readonly seeds: readonly (DhtAddress & { readonly id?: Uint8Array })[];
  readonly alpha: number;
  readonly k: number;
  readonly maxQueries: number;
  readonly maxCandidates: number;
  /** Sends one query; rejects (any error) when the node failed. */
  readonly ask: (node: DhtAddress, hops: number) => Promise<LookupAnswer>;
  /** Our own id: nodes claiming it are never queried. */
  readonly excludeId?: Uint8Array;
}

/** How a lookup went. */
export interface LookupResult {
  /** The k closest nodes that answered, closest first. */
  readonly closest: readonly LookupResponder[];
  readonly queried: number;
  readonly responded: number;
  readonly failed: number;
  /** Longest chain of referrals that led to an answering node (seeds are hop 1). */
  readonly hops: number;
}

type CandidateState = 'new' | 'asking' | 'answered' | 'failed';

interface Candidate {
  readonly host: string;
  readonly port: number;
  id: Uint8Array | undefined;
  state: CandidateState;
  token: Uint8Array | undefined;
  readonly hops: number;
}

/** Runs one lookup to convergence. Never rejects. */
export function runLookup(options: LookupOptions): Promise<LookupResult> {
  return new IterativeLookup(options).run();
}

class IterativeLookup {
  readonly #options: LookupOptions;
  /** Sorted closest first; candidates without an id (bootstrap addresses) last. */
  #candidates: Candidate[] = [];
  readonly #seenAddresses = new Set<string>();
  readonly #seenIds = new Set<string>();
  #inFlight = 0;
  #queried = 0;
  #responded = 0;
  #failed = 0;
  #hops = 0;
  #finish: ((result: LookupResult) => void) | undefined;

  constructor(options: LookupOptions) {
    this.#options = options;
    for (const seed of options.seeds) this.#addCandidate(seed, seed.id, 1);
  }

  run(): Promise<LookupResult> {
    return new Promise((resolve) => {
      this.#finish = resolve;
      this.#step();
    });
  }

  #addCandidate(address: DhtAddress, id: Uint8Array | undefined, hops: number): void {
    const addressKey = `${address.host}:${address.port}`;
    if (this.#seenAddresses.has(addressKey)) return;
    if (id !== undefined) {
      const idKey = idToHex(id);
      if (this.#seenIds.has(idKey)) return;
      this.#seenIds.add(idKey);
    }
    const excluded = this.#options.excludeId;
    if (id !== undefined && excluded !== undefined && compareDistance(excluded, id, excluded) === 0) return;
    this.#seenAddresses.add(addressKey);
    this.#candidates.push({
      host: address.host,
      port: address.port,
      id,
      state: 'new',
      token: undefined,
      hops,
    });
  }

  #sortAndTrim(): void {
    const target = this.#options.target;
    this.#candidates.sort((a, b) => {
      if (a.id === undefined || b.id === undefined)
        return (a.id === undefined ? 1 : 0) - (b.id === undefined ? 1 : 0);
      return compareDistance(target, a.id, b.id);
    });
    // Forget the farthest candidates not yet asked; asked ones stay so their answers still land somewhere.
    let excess = this.#candidates.length - this.#options.maxCandidates;
    for (let i = this.#candidates.length - 1; i >= 0 && excess > 0; i--) {
      if (this.#candidates[i]!.state === 'new') {
        this.#candidates.splice(i, 1);
        excess--;
      }
    }
  }

  /** Sends queries while there is room; finishes when converged. */
  #step(): void {
    this.#sortAndTrim();
    const { alpha, k, maxQueries } = this.#options;
    while (this.#inFlight < alpha && this.#queried < maxQueries) {
      const next = this.#nextToAsk(k);
      if (next === undefined) break;
      this.#ask(next);
    }
    if (this.#inFlight === 0) this.#done();
  }

  /** The closest unasked candidate among the k closest that have not failed. */
  #nextToAsk(k: number): Candidate | undefined {
    let alive = 0;
    for (const candidate of this.#candidates) {
      if (candidate.state === 'failed') continue;
      if (candidate.state === 'new') return candidate;
      if (++alive >= k) return undefined;
    }
    return undefined;
  }

  #ask(candidate: Candidate): void {
    candidate.state = 'asking';
    this.#inFlight++;
    this.#queried++;
    this.#options.ask({ host: candidate.host, port: candidate.port }, candidate.hops).then(
      (answer) => {
        this.#inFlight--;
        this.#responded++;
        candidate.state = 'answered';
        candidate.token = answer.token;
        if (candidate.id === undefined) {
          candidate.id = answer.id;
          this.#seenIds.add(idToHex(answer.id));
        }
        this.#hops = Math.max(this.#hops, candidate.hops);
        for (const node of answer.nodes) this.#addCandidate(node, node.id, candidate.hops + 1);
        this.#step();
      },
      () => {
        this.#inFlight--;
        this.#failed++;
        candidate.state = 'failed';
        this.#step();
      },
    );
  }

  #done(): void {
    const finish = this.#finish;
    if (finish === undefined) return;
    this.#finish = undefined;
    const closest: LookupResponder[] = [];
    for (const candidate of this.#candidates) {
      if (candidate.state !== 'answered' || candidate.id === undefined) continue;
      closest.push({ id: candidate.id, host: candidate.host, port: candidate.port, token: candidate.token });
      if (closest.length >= this.#options.k) break;
    }
    finish({
      closest,
      queried: this.#queried,
      responded: this.#responded,
      failed: this.#failed,
      hops: this.#hops,
    });
  }
}
