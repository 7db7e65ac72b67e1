/**
 * Applies the choker to one torrent's peers: a round every `chokeIntervalMs` (tit-for-tat plus the optimistic
 * slot, decided by the pure `chokeRound`), an immediate round when an unchoked peer loses interest or leaves, and
 * a free slot given at once to a newly interested peer.
 */
import { type ChokerState, chokeRound } from '../choking/index.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import type { Random } from '../platform/random.js';
import type { Settings } from '../session/settings.js';

export class PeerChoking {
  private state: ChokerState = { optimistic: undefined, optimisticSince: 0 };
  private lastRoundAt = -Infinity;

  constructor(
    private readonly peers: ReadonlyMap<number, PeerConnection>,
    private readonly settings: Settings,
    private readonly random: Random,
  ) {}

  /** Runs a round when one is due. */
  tick(now: number, seeding: boolean): void {
    if (now - this.lastRoundAt >= this.settings.chokeIntervalMs) this.round(now, seeding);
  }

  interestChanged(peer: PeerConnection, now: number, seeding: boolean): void {
    if (!peer.peerInterested && !peer.amChoking) {
      peer.setChoking(true);
      this.round(now, seeding);
    } else if (peer.peerInterested && this.unchokedCount() < this.settings.regularUnchokeSlots + 1) {
      // A free slot need not wait for the next round.
      peer.setChoking(false);
    }
  }

  /** A peer left: its optimistic slot is free, and an unchoke slot it held is filled now, not at the next round. */
  peerGone(peer: PeerConnection, now: number, seeding: boolean, running: boolean): void {
    if (this.state.optimistic === peer.key) this.state = { ...this.state, optimistic: undefined };
    if (!peer.amChoking && running) this.round(now, seeding);
  }

  private unchokedCount(): number {
    let n = 0;
    for (const peer of this.peers.values()) if (!peer.amChoking) n++;
    return n;
  }

  private round(now: number, seeding: boolean): void {
    this.lastRoundAt = now;
    const candidates = [...this.peers.values()].filter((p) => p.isActive);
    const decision = chokeRound({
      peers: candidates.map((p) => ({
        key: p.key,
        interested: p.peerInterested,
        downloadRate: p.downloadRate.rate(now),
        uploadRate: p.uploadRate.rate(now),
        connectedAt: p.connectedAt,
        snubbed: p.snubbed,
      })),
      seeding,
      now,
      state: this.state,
      random: this.random,
      regularSlots: this.settings.regularUnchokeSlots,
      optimisticIntervalMs: this.settings.optimisticUnchokeIntervalMs,
    });
    this.state = decision.state;
    for (const peer of candidates) peer.setChoking(!decision.unchoked.has(peer.key));
  }
}
