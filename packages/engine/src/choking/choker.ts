/**
 * The choker (BEP 3's tit-for-tat, as in the BitTorrent paper and libtorrent's `unchoke_sort`): run every
 * 10 s, it unchokes the interested peers that give us the most — the fastest uploaders to us while leeching,
 * the peers we upload to fastest while seeding — plus one optimistic unchoke, rotated every 30 s, so a new
 * peer gets a chance to prove itself. Pure: peers, `now` and the previous state in; the unchoked set and the
 * next state out.
 */
import type { PeerKey } from '../pieces/block-request.js';
import { type Random, shuffle } from '../platform/random.js';

/** What the choker needs to know about one connected peer. */
export interface ChokerPeer {
  key: PeerKey;
  /** The peer is interested in what we have (it would request if unchoked). */
  interested: boolean;
  /** Bytes/s they send us. */
  downloadRate: number;
  /** Bytes/s we send them. */
  uploadRate: number;
  /** When the connection was established (clock milliseconds). */
  connectedAt: number;
  /** The peer has not sent us a block for a long time although we asked: never a regular unchoke. */
  snubbed?: boolean;
}

/** Carried from one round to the next. Start with `{ optimisticSince: 0 }`. */
export interface ChokerState {
  optimistic?: PeerKey;
  optimisticSince: number;
}

export interface ChokeDecision {
  /** Everyone else is choked. */
  unchoked: Set<PeerKey>;
  state: ChokerState;
}

export interface ChokeRoundInput {
  peers: readonly ChokerPeer[];
  seeding: boolean;
  now: number;
  state: ChokerState;
  random: Random;
  /** Regular (tit-for-tat) unchoke slots. Default 4. */
  regularSlots?: number;
  /** How long an optimistic unchoke lasts. Default 30 000 ms. */
  optimisticIntervalMs?: number;
  /** Peers connected less than this long ago count as new. Default 60 000 ms. */
  newPeerMs?: number;
  /** How much likelier a new peer is to be the optimistic unchoke. Default 3. */
  newPeerWeight?: number;
}

export const DEFAULT_REGULAR_SLOTS = 4;
export const DEFAULT_OPTIMISTIC_INTERVAL_MS = 30_000;
export const DEFAULT_NEW_PEER_MS = 60_000;
export const DEFAULT_NEW_PEER_WEIGHT = 3;

/** One choking round. O(peers · log peers). */
export function chokeRound(input: ChokeRoundInput): ChokeDecision {
  const { peers, seeding, now, state, random } = input;
  const regularSlots = Math.max(0, Math.floor(input.regularSlots ?? DEFAULT_REGULAR_SLOTS));
  const interval = input.optimisticIntervalMs ?? DEFAULT_OPTIMISTIC_INTERVAL_MS;
  const newPeerMs = input.newPeerMs ?? DEFAULT_NEW_PEER_MS;
  const newPeerWeight = input.newPeerWeight ?? DEFAULT_NEW_PEER_WEIGHT;

  // Shuffle first so the stable sort breaks rate ties (e.g. all new peers at 0 B/s) at random.
  const rateOf = (peer: ChokerPeer): number => rateOrZero(seeding ? peer.uploadRate : peer.downloadRate);
  const regularCandidates = shuffle(
    random,
    peers.filter((peer) => peer.interested && !peer.snubbed),
  ).sort((a, b) => rateOf(b) - rateOf(a));
  const unchoked = new Set<PeerKey>(regularCandidates.slice(0, regularSlots).map((peer) => peer.key));

  const current =
    state.optimistic === undefined ? undefined : peers.find((peer) => peer.key === state.optimistic);
  const keepCurrent =
    current?.interested === true && !unchoked.has(current.key) && now - state.optimisticSince < interval;
  if (keepCurrent) {
    unchoked.add(current.key);
    return { unchoked, state: { optimistic: current.key, optimisticSince: state.optimisticSince } };
  }

  const choked = peers.filter((peer) => peer.interested && !unchoked.has(peer.key));
  // Rotate: the outgoing optimistic peer goes last in line, unless nobody else is waiting.
  const others = choked.filter((peer) => peer.key !== state.optimistic);
  const optimistic = pickWeighted(random, others.length > 0 ? others : choked, (peer) =>
    now - peer.connectedAt < newPeerMs ? newPeerWeight : 1,
  );
  if (optimistic === undefined) return { unchoked, state: { optimisticSince: now } };
  unchoked.add(optimistic.key);
  return { unchoked, state: { optimistic: optimistic.key, optimisticSince: now } };
}

function rateOrZero(rate: number): number {
  return Number.isFinite(rate) && rate > 0 ? rate : 0;
}

function pickWeighted<T>(random: Random, items: readonly T[], weightOf: (item: T) => number): T | undefined {
  let total = 0;
  for (const item of items) total += weightOf(item);
  let target = random.float() * total;
  for (const item of items) {
    target -= weightOf(item);
    if (target < 0) return item;
  }
  return items[items.length - 1];
}
