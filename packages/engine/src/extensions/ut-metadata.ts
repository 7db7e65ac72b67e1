/**
 * BEP 9 metadata exchange (ut_metadata) on the extension API. With the info dictionary in hand it serves it in
 * 16 KiB pieces; without it (a magnet link) it fetches the pieces from every peer that offers them, two requests in
 * flight per peer, checks the whole against the info-hash, and hands the verified bytes over. Bounded: the size a
 * peer announces is capped (16 MiB) before allocating, and wrong sizes, unrequested or out-of-range pieces, rejects
 * and a hash mismatch make us stop asking that peer.
 */
import { equalBytes } from '../bytes.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import type { Hasher } from '../platform/hasher.js';
import type { ExtendedHandshake } from './extended-handshake.js';
import type { ExtensionRegistry, PeerExtension } from './extension-registry.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  MAX_METADATA_SIZE,
  METADATA_PIECE_SIZE,
  metadataPieceCount,
  metadataPieceLength,
} from './ut-metadata-message.js';

export const UT_METADATA = 'ut_metadata';
/** Requests in flight per peer while fetching. */
const REQUESTS_PER_PEER = 2;
/** A request unanswered this long goes to another peer. */
export const METADATA_REQUEST_TIMEOUT_MS = 10_000;

interface PendingPiece {
  peer: PeerConnection;
  sentAt: number;
}

export interface UtMetadataOptions {
  readonly infoHash: Uint8Array;
  readonly hasher: Hasher;
  readonly registry: ExtensionRegistry;
  readonly now: () => number;
  /** The verified info dictionary, once we have it. */
  readonly infoBytes: () => Uint8Array | undefined;
  /** Called once with the verified info dictionary bytes (fetching mode). */
  readonly onMetadata?: (infoBytes: Uint8Array) => void;
  /** A peer lied about the metadata (wrong size, wrong data): the owner may lower its trust. */
  readonly onBadPeer?: (peer: PeerConnection, why: string) => void;
}

export class UtMetadata implements PeerExtension {
  readonly name = UT_METADATA;
  private size: number | undefined;
  private buffer: Uint8Array | undefined;
  private received: boolean[] = [];
  private receivedCount = 0;
  private readonly pending = new Map<number, PendingPiece>();
  /** Peers that speak ut_metadata and announced the size we are fetching. */
  private readonly sources = new Set<PeerConnection>();
  /** Every trusted peer's announced size: when the size we chose loses all its sources, we choose again. */
  private readonly claims = new Map<PeerConnection, number>();
  private readonly distrusted = new Set<string>();
  private readonly senders = new Map<number, string>();
  private verifying = false;
  private done = false;
  /** After a mismatch with several senders: fetch from one peer at a time, so the liar shows itself. */
  private oneAtATime = false;

  constructor(private readonly options: UtMetadataOptions) {}

  /** Fetch progress: pieces received of pieces needed (0/0 until a peer told the size). */
  progress(): { received: number; total: number } {
    return { received: this.receivedCount, total: this.size ? metadataPieceCount(this.size) : 0 };
  }

  handshakeFields(): Record<string, number> {
    const info = this.options.infoBytes();
    return info ? { metadata_size: info.length } : {};
  }

  onHandshake(peer: PeerConnection, handshake: ExtendedHandshake, supported: boolean): void {
    if (!supported || this.options.infoBytes() || this.done) return;
    const size = handshake.metadataSize;
    if (size === undefined || size <= 0 || size > MAX_METADATA_SIZE) return;
    if (this.distrusted.has(peer.address)) return;
    this.claims.set(peer, size);
    if (this.size === undefined) this.startFetch(size);
    if (size !== this.size) return; // another size: a different (or lying) claim; not a source
    this.sources.add(peer);
    this.requestMore(peer);
  }

  onMessage(peer: PeerConnection, payload: Uint8Array): void {
    const message = decodeMetadataMessage(payload);
    if (!message) return;
    switch (message.type) {
      case 'request':
        this.serve(peer, message.piece);
        return;
      case 'reject':
        if (this.pending.get(message.piece)?.peer === peer) this.pending.delete(message.piece);
        this.sources.delete(peer);
        this.requestFromAll();
        return;
      case 'data':
        this.receive(peer, message.piece, message.totalSize, message.data);
        return;
    }
  }

  onPeerClosed(peer: PeerConnection): void {
    this.sources.delete(peer);
    this.claims.delete(peer);
    for (const [piece, pending] of this.pending) if (pending.peer === peer) this.pending.delete(piece);
    this.reconsiderSize();
    this.requestFromAll();
  }

  /** Re-asks pieces whose request timed out; called from the owner's tick. */
  tick(now: number): void {
    if (this.done || this.size === undefined) return;
    let expired = false;
    for (const [piece, pending] of this.pending) {
      if (now - pending.sentAt >= METADATA_REQUEST_TIMEOUT_MS) {
        this.pending.delete(piece);
        expired = true;
      }
    }
    if (expired) this.requestFromAll();
  }

  private serve(peer: PeerConnection, piece: number): void {
    const info = this.options.infoBytes();
    if (!info || piece >= metadataPieceCount(info.length)) {
      this.options.registry.send(peer, UT_METADATA, encodeMetadataMessage({ type: 'reject', piece }));
      return;
    }
    const start = piece * METADATA_PIECE_SIZE;
    const data = info.subarray(start, start + metadataPieceLength(info.length, piece));
    this.options.registry.send(
      peer,
      UT_METADATA,
      encodeMetadataMessage({ type: 'data', piece, totalSize: info.length, data }),
    );
  }

  private startFetch(size: number): void {
    this.size = size;
    this.buffer = new Uint8Array(size);
    this.received = new Array(metadataPieceCount(size)).fill(false);
    this.receivedCount = 0;
    this.senders.clear();
  }

  private receive(peer: PeerConnection, piece: number, totalSize: number, data: Uint8Array): void {
    const pending = this.pending.get(piece);
    if (!pending || pending.peer !== peer || this.size === undefined || this.done) return; // unsolicited: ignored
    this.pending.delete(piece);
    if (totalSize !== this.size || data.length !== metadataPieceLength(this.size, piece)) {
      this.distrust(peer, `metadata piece ${piece} of the wrong size`);
      this.requestFromAll();
      return;
    }
    if (!this.received[piece]) {
      this.buffer!.set(data, piece * METADATA_PIECE_SIZE);
      this.received[piece] = true;
      this.receivedCount++;
      this.senders.set(piece, peer.address);
    }
    if (this.receivedCount === this.received.length) void this.verify();
    else this.requestMore(peer);
  }

  private async verify(): Promise<void> {
    if (this.verifying) return;
    this.verifying = true;
    const bytes = this.buffer!;
    const digest = await this.options.hasher.sha1(bytes);
    this.verifying = false;
    if (equalBytes(digest, this.options.infoHash)) {
      this.done = true;
      this.pending.clear();
      this.options.onMetadata?.(bytes);
      return;
    }
    // Someone lied. A lone sender is the liar; with several, fetch again from one peer at a time.
    const senders = new Set(this.senders.values());
    if (senders.size === 1) {
      const [liar] = senders;
      this.distrusted.add(liar!);
      for (const source of [...this.sources]) {
        if (source.address === liar) this.distrust(source, 'metadata does not match the info-hash');
      }
      for (const [peer] of this.claims) if (peer.address === liar) this.claims.delete(peer);
      this.reconsiderSize();
    } else {
      this.oneAtATime = true;
    }
    if (this.size !== undefined) this.startFetch(this.size);
    this.requestFromAll();
  }

  private distrust(peer: PeerConnection, why: string): void {
    this.distrusted.add(peer.address);
    this.sources.delete(peer);
    this.claims.delete(peer);
    this.options.onBadPeer?.(peer, why);
    this.reconsiderSize();
  }

  /**
   * The size we are fetching has no source left (its claimants lied or left): fetch the size most remaining peers
   * announced instead, or wait for the next handshake. One liar announcing a wrong size first cannot stall us.
   */
  private reconsiderSize(): void {
    if (this.done || this.sources.size > 0 || this.size === undefined) return;
    const votes = new Map<number, number>();
    for (const size of this.claims.values()) votes.set(size, (votes.get(size) ?? 0) + 1);
    let best: number | undefined;
    for (const [size, count] of votes) if (best === undefined || count > votes.get(best)!) best = size;
    if (best === undefined) {
      this.size = undefined;
      this.buffer = undefined;
      this.pending.clear();
      return;
    }
    this.startFetch(best);
    this.pending.clear();
    for (const [peer, size] of this.claims) if (size === best) this.sources.add(peer);
  }

  private requestFromAll(): void {
    for (const peer of this.sources) this.requestMore(peer);
  }

  private requestMore(peer: PeerConnection): void {
    if (this.done || this.verifying || this.size === undefined || peer.isClosed) return;
    if (this.oneAtATime && this.sources.values().next().value !== peer) return;
    let inFlight = 0;
    for (const pending of this.pending.values()) if (pending.peer === peer) inFlight++;
    for (let piece = 0; piece < this.received.length && inFlight < REQUESTS_PER_PEER; piece++) {
      if (this.received[piece] || this.pending.has(piece)) continue;
      if (!this.options.registry.send(peer, UT_METADATA, encodeMetadataMessage({ type: 'request', piece })))
        return;
      this.pending.set(piece, { peer, sentAt: this.options.now() });
      inFlight++;
    }
  }
}
