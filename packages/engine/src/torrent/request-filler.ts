/**
 * Tops up one peer's request pipeline to the depth its rate deserves (libtorrent's request queue time): the
 * picker chooses the blocks (Fast allowed pieces only while choked; endgame duplicates at the end), the download
 * rate limit caps the bytes asked for, and requests go out in batches, one buffer and one write per batch.
 */
import { BLOCK_SIZE } from '../indices.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import type { Bitfield, PiecePicker } from '../pieces/index.js';
import type { LimitChain } from '../rate/index.js';
import { targetQueueDepth } from '../requests/index.js';
import type { Settings } from '../session/settings.js';

/** Requests sent together once a deep pipeline has this many free slots. */
const REQUEST_BATCH = 16;

export interface RequestFillContext {
  readonly settings: Settings;
  readonly picker: PiecePicker;
  readonly allowance: LimitChain;
  /** Piece buffers are at their memory budget: no new pieces now. */
  readonly overBudget: boolean;
  /**
   * Under a download rate limit: how many peers, this one included, share what the limit allows now. The tick
   * hands it out in equal shares (the peers not filled yet this tick); 0 elsewhere: then a peer with nothing in
   * flight may ask for one block, and one whose blocks keep coming in waits for the tick, so it does not take what
   * the others were waiting for (the first peer used to get every request).
   */
  readonly limitSharers: number;
  readonly now: number;
}

/** Peers we want blocks from that let us ask: each keeps a request pipeline of its own in flight. */
export function sendingPeerCount(peers: Iterable<PeerConnection>): number {
  let count = 0;
  for (const peer of peers) if (isSending(peer)) count++;
  return count;
}

/** The peer lets us ask, and we want blocks from it. */
export function isSending(peer: PeerConnection): boolean {
  return peer.isActive && peer.amInterested && !peer.peerChoking;
}

export function fillRequests(peer: PeerConnection, context: RequestFillContext): void {
  if (!peer.isActive || !peer.amInterested || !peer.peerHas) return;
  const fastOnly = peer.peerChoking;
  if (fastOnly && peer.allowedFastFromPeer.size === 0) return;
  const { settings, picker, allowance, now } = context;
  const depth = peer.snubbed
    ? 1
    : targetQueueDepth(peer.downloadRate.rate(now), {
        queueTimeSeconds: settings.requestQueueTimeSeconds,
        min: settings.minRequestQueue,
        max: settings.maxRequestQueue,
        peerReqq: peer.peerReqq,
      });
  let want = depth - peer.outstanding.size;
  // Download rate limit: this peer's share of the bytes the buckets allow now (the tick hands them out).
  const available = allowance.available(now);
  const limited = available !== Number.POSITIVE_INFINITY;
  if (limited) {
    const blocks = Math.floor(available / BLOCK_SIZE);
    if (context.limitSharers > 0) want = Math.min(want, Math.ceil(blocks / context.limitSharers), blocks);
    else want = peer.outstanding.size === 0 ? Math.min(want, blocks, 1) : 0; // one block keeps it going
  }
  if (want <= 0) return;
  // Top up in batches: one write (one syscall) per batch of requests rather than one per block received.
  if (!limited && want < Math.min(REQUEST_BATCH, Math.ceil(depth / 4))) return;
  const has: Bitfield | 'all' = peer.peerIsSeed ? 'all' : peer.peerHas;
  // Over the piece-memory budget, pieces already started are still finished: they hold their memory anyway.
  // One object shape whatever the options (V8 deoptimised the picker on each new shape of spread options).
  const picked = picker.pickBlocks(has, want, peer.key, {
    fastAllowed: fastOnly ? peer.allowedFastFromPeer : undefined,
    startedOnly: context.overBudget,
  });
  want -= picked.length;
  if (want > 0 && !fastOnly && picker.isEndgame()) {
    picked.push(...picker.pickEndgameBlocks(has, Math.min(want, 8), peer.key));
  }
  if (picked.length === 0) return;
  if (peer.outstanding.size === 0) peer.lastBlockAt = now;
  if (limited)
    allowance.take(
      picked.reduce((sum, b) => sum + b.length, 0),
      now,
    );
  for (const b of picked) {
    peer.outstanding.add({ piece: b.piece, block: b.block, begin: b.begin, length: b.length, sentAt: now });
  }
  peer.sendRequests(picked);
}
