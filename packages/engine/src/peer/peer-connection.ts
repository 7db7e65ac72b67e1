/**
 * One peer connection (BEP 3, with the BEP 6 Fast and BEP 10 extended messages): handshake, framing, the
 * choke/interest state of both sides, the peer's pieces, keep-alives and timeouts, and the checks on everything
 * the peer says. Decisions (what to request, whom to unchoke, what to serve) belong to the owner, the torrent,
 * reached through the narrow `PeerOwner` interface.
 */
import { equalBytes } from '../bytes.js';
import { BLOCK_SIZE } from '../indices.js';
import { Bitfield } from '../pieces/index.js';
import type { Clock } from '../platform/clock.js';
import type { Connection } from '../platform/network.js';
import { RateMeter } from '../rate/index.js';
import type { Settings } from '../session/settings.js';
import {
  type BlockPayload,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  encodeRequests,
  type Handshake,
  MessageFramer,
  type PeerMessage,
  reservedBits,
  supportsDht,
  supportsExtended,
  supportsFast,
} from '../wire/index.js';
import type { CloseReason, PeerClose } from './close-reason.js';
import { OutstandingRequests } from './outstanding-requests.js';

export interface BlockRange {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
}

/** What a peer connection needs from the torrent it belongs to. */
export interface PeerOwner {
  readonly infoHash: Uint8Array;
  readonly pieceCount: number;
  /**
   * False while the torrent's info dictionary is still being fetched (a magnet link, BEP 9): piece-level
   * messages (HAVE, BITFIELD, REQUEST, PIECE, …) cannot be checked yet and are ignored.
   */
  readonly hasMetadata: boolean;
  pieceSize(piece: number): number;
  /** The handshake is done; send the opening messages (bitfield, extended handshake). */
  peerReady(peer: PeerConnection): void;
  peerHaveChanged(peer: PeerConnection, change: 'bitfield' | 'have-all' | number): void;
  peerChoked(peer: PeerConnection): void;
  peerUnchoked(peer: PeerConnection): void;
  peerInterestChanged(peer: PeerConnection): void;
  blockReceived(peer: PeerConnection, piece: number, begin: number, block: BlockPayload): void;
  requestRejected(peer: PeerConnection, range: BlockRange): void;
  allowedFast(peer: PeerConnection, piece: number): void;
  extendedMessage(peer: PeerConnection, extendedId: number, payload: Uint8Array): void;
  /** BEP 5 PORT message: the peer's DHT node listens on this UDP port. */
  peerDhtPort?(peer: PeerConnection, port: number): void;
  /** Whether we can serve this block (we have the piece). */
  canServe(piece: number): boolean;
  readBlock(range: BlockRange): Promise<Uint8Array>;
  blockUploaded(peer: PeerConnection, bytes: number): void;
  /** Upload rate limit: false while `bytes` may not be sent yet (the torrent calls `serveQueued` later). */
  mayUpload?(bytes: number): boolean;
  peerClosed(peer: PeerConnection, close: PeerClose): void;
}

export interface PeerConnectionOptions {
  readonly connection: Connection;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly ourPeerId: Uint8Array;
  readonly key: number;
  /** Set for outgoing connections: we send our handshake first. */
  readonly owner?: PeerOwner;
  /** For incoming connections: find the torrent the peer's handshake names. */
  readonly lookupOwner?: (infoHash: Uint8Array) => PeerOwner | undefined;
  /** Checked after the handshake: another connection to the same peer id, or our own id. */
  readonly acceptPeerId?: (peerId: Uint8Array, peer: PeerConnection) => CloseReason | undefined;
  /** Told of every close, owned or not (the session's connection accounting). */
  readonly onClosed?: (peer: PeerConnection, close: PeerClose) => void;
  /**
   * When the socket opened, if earlier than now (an incoming connection that went through the MSE/PE detection
   * first): the handshake timeout counts from here, so a peer trickling its handshake cannot restart the clock.
   */
  readonly openedAt?: number;
  /** Our DHT node's UDP port, when the session runs one: the handshake says so and PORT tells DHT peers. */
  readonly dhtPort?: number;
}

type Phase = 'handshaking' | 'active' | 'closed';

/** Messages about pieces: meaningless before the info dictionary is known. */
const PIECE_MESSAGES: ReadonlySet<PeerMessage['type']> = new Set([
  'have',
  'bitfield',
  'have-all',
  'have-none',
  'request',
  'cancel',
  'piece',
  'reject-request',
  'allowed-fast',
  'suggest-piece',
]);

export class PeerConnection {
  readonly key: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** `host:port`, made once: a block's sender is recorded by it on every block received. */
  readonly address: string;
  readonly outgoing: boolean;
  readonly connectedAt: number;
  peerId: Uint8Array | undefined;
  owner: PeerOwner | undefined;

  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** The peer's pieces; empty until its bitfield arrives. */
  peerHas: Bitfield | undefined;
  peerIsSeed = false;
  fastExtension = false;
  extensionProtocol = false;
  /** The peer's handshake set the BEP 5 DHT bit. */
  peerRunsDht = false;
  /** The peer's advertised request queue limit (BEP 10 reqq); 250 when unknown, like libtorrent. */
  peerReqq = 250;
  /** The peer's client name from its extended handshake (untrusted, for display). */
  client: string | undefined;
  /** Extension name → the id the peer wants its messages sent with (BEP 10 `m`). */
  peerExtensions: ReadonlyMap<string, number> = new Map();
  /** The port the peer accepts connections on, from its extended handshake `p` (BEP 10). */
  peerListenPort: number | undefined;
  /** `metadata_size` from the peer's extended handshake (BEP 9), unchecked. */
  peerMetadataSize: number | undefined;
  snubbed = false;
  readonly allowedFastFromPeer = new Set<number>();
  /** Pieces we let this peer request while choked (our ALLOWED FAST messages). */
  readonly allowedFastToPeer = new Set<number>();

  readonly outstanding = new OutstandingRequests();
  readonly downloadRate = new RateMeter();
  readonly uploadRate = new RateMeter();
  /** Last time a block arrived, or when we started waiting for one. */
  lastBlockAt: number;

  private phase: Phase = 'handshaking';
  private readonly connection: Connection;
  private readonly clock: Clock;
  private readonly settings: Settings;
  private readonly framer: MessageFramer;
  private readonly ourPeerId: Uint8Array;
  private readonly lookupOwner: PeerConnectionOptions['lookupOwner'];
  private readonly acceptPeerId: PeerConnectionOptions['acceptPeerId'];
  private readonly dhtPort: number;
  private readonly onClosed: PeerConnectionOptions['onClosed'];
  private lastReceivedAt: number;
  private lastSentAt: number;
  private sawFirstMessage = false;
  private readonly incomingRequests: BlockRange[] = [];
  /** Requests refused in a row because the queue was full (reset by the next one accepted). */
  private requestsIntoFullQueue = 0;
  private serving = false;
  private waitingForDrain = false;

  constructor(options: PeerConnectionOptions) {
    this.key = options.key;
    this.connection = options.connection;
    this.clock = options.clock;
    this.settings = options.settings;
    this.ourPeerId = options.ourPeerId;
    this.owner = options.owner;
    this.lookupOwner = options.lookupOwner;
    this.acceptPeerId = options.acceptPeerId;
    this.dhtPort = options.dhtPort ?? 0;
    this.onClosed = options.onClosed;
    this.outgoing = options.owner !== undefined;
    this.remoteAddress = options.connection.remoteAddress;
    this.remotePort = options.connection.remotePort;
    this.address = `${this.remoteAddress}:${this.remotePort}`;
    const now = this.clock.now();
    this.connectedAt = options.openedAt ?? now;
    this.lastReceivedAt = now;
    this.lastSentAt = now;
    this.lastBlockAt = now;
    this.framer = new MessageFramer({
      maxMessageLength: this.settings.maxMessageLength,
      expectHandshake: true,
      onHandshake: (h) => this.onHandshake(h),
      onMessage: (m) => this.onMessage(m),
      onError: (e) =>
        this.close(e.code === 'WIRE_MESSAGE_TOO_LONG' ? 'message-too-long' : 'protocol-error', e.message),
    });
    this.connection.setHandlers({
      data: (chunk) => {
        if (this.phase === 'closed') return;
        this.lastReceivedAt = this.clock.now();
        this.framer.push(chunk);
      },
      drain: () => {
        this.waitingForDrain = false;
        this.serveRequests();
      },
      close: (error) => this.close('remote-closed', error ? error.message : 'connection closed'),
    });
    if (this.owner) this.sendHandshake(this.owner.infoHash);
  }

  get isActive(): boolean {
    return this.phase === 'active';
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** Requests the peer has queued with us. */
  get incomingRequestCount(): number {
    return this.incomingRequests.length;
  }

  // ---- sending ------------------------------------------------------------------------------------------

  send(message: Exclude<PeerMessage, { type: 'piece' | 'unknown' }>): void {
    if (this.phase === 'closed') return;
    this.write(encodeMessage(message));
  }

  /** REQUEST messages for `requests`, in one write. */
  sendRequests(requests: readonly BlockRange[]): void {
    if (this.phase === 'closed' || requests.length === 0) return;
    this.write(encodeRequests(requests));
  }

  /** Runs `fn` with writes held back, so its messages leave in as few segments as possible. */
  batch(fn: () => void): void {
    this.connection.cork();
    try {
      fn();
    } finally {
      this.connection.uncork();
    }
  }

  setChoking(choking: boolean): void {
    if (this.amChoking === choking) return;
    this.amChoking = choking;
    this.send({ type: choking ? 'choke' : 'unchoke' });
    if (choking) {
      // BEP 6: with Fast every dropped request is rejected explicitly; without it, choking discards them.
      // Requests for allowed-fast pieces survive a choke.
      const kept = this.incomingRequests.filter((r) => this.allowedFastToPeer.has(r.piece));
      const dropped = this.incomingRequests.filter((r) => !this.allowedFastToPeer.has(r.piece));
      this.incomingRequests.splice(0, this.incomingRequests.length, ...kept);
      if (this.fastExtension) for (const r of dropped) this.send({ type: 'reject-request', ...r });
    }
  }

  /** BEP 6: lets the peer request `piece` even while choked, and tells it so (ALLOWED FAST). */
  allowFast(piece: number): void {
    if (!this.fastExtension || this.allowedFastToPeer.has(piece) || this.phase !== 'active') return;
    this.allowedFastToPeer.add(piece);
    this.send({ type: 'allowed-fast', piece });
  }

  setInterested(interested: boolean): void {
    if (this.amInterested === interested) return;
    this.amInterested = interested;
    this.send({ type: interested ? 'interested' : 'not-interested' });
  }

  // ---- periodic work ------------------------------------------------------------------------------------

  /** Called by the torrent on every session tick. */
  tick(now: number): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'handshaking') {
      if (now - this.connectedAt >= this.settings.handshakeTimeoutMs) {
        this.close('handshake-timeout', `no handshake after ${this.settings.handshakeTimeoutMs} ms`);
      }
      return;
    }
    if (now - this.lastReceivedAt >= this.settings.peerInactivityTimeoutMs) {
      this.close('inactive', `silent for ${Math.round((now - this.lastReceivedAt) / 1000)} s`);
      return;
    }
    if (now - this.lastSentAt >= this.settings.keepAliveIntervalMs) this.send({ type: 'keep-alive' });
  }

  /** True when we have waited on this peer for a block longer than the request timeout. */
  requestTimedOut(now: number): boolean {
    return this.outstanding.size > 0 && now - this.lastBlockAt >= this.settings.requestTimeoutMs;
  }

  // ---- closing ------------------------------------------------------------------------------------------

  close(reason: CloseReason, detail: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.incomingRequests.length = 0;
    this.connection.destroy();
    const close = { reason, detail };
    // Only a peer that finished its handshake was ever the owner's.
    if (this.peerHas) this.owner?.peerClosed(this, close);
    this.onClosed?.(this, close);
  }

  // ---- receiving ----------------------------------------------------------------------------------------

  private onHandshake(handshake: Handshake): void {
    if (!this.owner) {
      const owner = this.lookupOwner?.(handshake.infoHash);
      if (!owner) {
        this.close('unknown-info-hash', 'handshake for a torrent we do not have');
        return;
      }
      this.owner = owner;
      this.sendHandshake(owner.infoHash);
    } else if (!equalBytes(handshake.infoHash, this.owner.infoHash)) {
      this.close('bad-handshake', 'handshake names another info-hash');
      return;
    }
    const peerId = handshake.peerId.slice();
    if (equalBytes(peerId, this.ourPeerId)) {
      this.close('self-connection', 'the peer is ourselves');
      return;
    }
    const refusal = this.acceptPeerId?.(peerId, this);
    if (refusal) {
      this.close(refusal, 'peer id refused');
      return;
    }
    this.peerId = peerId;
    this.fastExtension = supportsFast(handshake.reserved);
    this.extensionProtocol = supportsExtended(handshake.reserved);
    this.peerRunsDht = supportsDht(handshake.reserved);
    this.peerHas = new Bitfield(this.owner.pieceCount);
    this.phase = 'active';
    this.owner.peerReady(this);
  }

  private onMessage(message: PeerMessage): void {
    const owner = this.owner;
    if (this.phase !== 'active' || !owner) return;
    const first = !this.sawFirstMessage;
    // Some clients send their BEP 10 handshake before the bitfield: it does not count as the first message.
    if (message.type !== 'keep-alive' && message.type !== 'extended') this.sawFirstMessage = true;
    if (!owner.hasMetadata && PIECE_MESSAGES.has(message.type)) return;
    switch (message.type) {
      case 'port':
        owner.peerDhtPort?.(this, message.port);
        return;
      case 'keep-alive':
      case 'suggest-piece':
      case 'unknown':
        return;
      case 'choke':
        if (this.peerChoking) return;
        this.peerChoking = true;
        owner.peerChoked(this);
        return;
      case 'unchoke':
        if (!this.peerChoking) return;
        this.peerChoking = false;
        this.lastBlockAt = this.clock.now();
        owner.peerUnchoked(this);
        return;
      case 'interested':
      case 'not-interested': {
        const interested = message.type === 'interested';
        if (this.peerInterested === interested) return;
        this.peerInterested = interested;
        owner.peerInterestChanged(this);
        return;
      }
      case 'have':
        if (!this.validPiece(message.piece, 'HAVE')) return;
        if (this.peerHas!.get(message.piece)) return;
        this.peerHas!.set(message.piece);
        this.peerIsSeed = this.peerHas!.hasAll();
        owner.peerHaveChanged(this, message.piece);
        return;
      case 'bitfield': {
        if (!first) {
          this.lateBitfield(message.bytes);
          return;
        }
        let bitfield: Bitfield;
        try {
          bitfield = Bitfield.fromBytes(message.bytes, owner.pieceCount);
        } catch (error) {
          this.close('protocol-error', error instanceof Error ? error.message : 'bad bitfield');
          return;
        }
        this.peerHas = bitfield;
        this.peerIsSeed = bitfield.hasAll();
        owner.peerHaveChanged(this, 'bitfield');
        return;
      }
      case 'have-all':
      case 'have-none':
        if (!this.fastExtension) {
          this.close('protocol-error', `${message.type} without the Fast extension`);
          return;
        }
        if (!first) {
          this.close('protocol-error', `${message.type} after the first message`);
          return;
        }
        if (message.type === 'have-all') {
          this.peerHas = Bitfield.full(owner.pieceCount);
          this.peerIsSeed = true;
          owner.peerHaveChanged(this, 'have-all');
        }
        return;
      case 'request': {
        this.onRequest(message);
        return;
      }
      case 'cancel': {
        const i = this.incomingRequests.findIndex(
          (r) => r.piece === message.piece && r.begin === message.begin && r.length === message.length,
        );
        if (i >= 0) this.incomingRequests.splice(i, 1);
        return;
      }
      case 'piece':
        if (!this.validRange(message.piece, message.begin, message.block.length, 'PIECE')) return;
        if (message.block.length > BLOCK_SIZE) {
          // We never request more than a block, so this answers nothing: a peer sending it wastes our bandwidth.
          this.close('protocol-error', `PIECE of ${message.block.length} bytes, more than a block`);
          return;
        }
        this.lastBlockAt = this.clock.now();
        this.downloadRate.add(message.block.length, this.lastBlockAt);
        owner.blockReceived(this, message.piece, message.begin, message.block);
        return;
      case 'reject-request':
        if (!this.fastExtension) {
          this.close('protocol-error', 'REJECT without the Fast extension');
          return;
        }
        if (!this.validRange(message.piece, message.begin, message.length, 'REJECT')) return;
        owner.requestRejected(this, message);
        return;
      case 'allowed-fast':
        if (!this.fastExtension) {
          this.close('protocol-error', 'ALLOWED FAST without the Fast extension');
          return;
        }
        if (!this.validPiece(message.piece, 'ALLOWED FAST')) return;
        if (this.allowedFastFromPeer.size < 64) this.allowedFastFromPeer.add(message.piece);
        owner.allowedFast(this, message.piece);
        return;
      case 'extended':
        owner.extendedMessage(this, message.extendedId, message.payload);
        return;
    }
  }

  /**
   * A BITFIELD after the first message breaks BEP 3, but aria2 sends one (after HAVE NONE) where a HAVE belongs:
   * its new pieces count as HAVEs; a malformed one still closes the peer, and one that drops pieces is ignored.
   */
  private lateBitfield(bytes: Uint8Array): void {
    let bitfield: Bitfield;
    try {
      bitfield = Bitfield.fromBytes(bytes, this.owner!.pieceCount);
    } catch (error) {
      this.close('protocol-error', error instanceof Error ? error.message : 'bad bitfield');
      return;
    }
    for (let piece = 0; piece < bitfield.length; piece++) {
      if (!bitfield.get(piece) || this.peerHas!.get(piece)) continue;
      this.peerHas!.set(piece);
      this.peerIsSeed = this.peerHas!.hasAll();
      this.owner!.peerHaveChanged(this, piece);
      if (this.phase !== 'active') return;
    }
  }

  private onRequest(request: BlockRange): void {
    if (!this.validRange(request.piece, request.begin, request.length, 'REQUEST')) return;
    if (request.length > BLOCK_SIZE || request.length === 0) {
      this.close('protocol-error', `REQUEST of ${request.length} bytes`);
      return;
    }
    const refuse = () => {
      // Not `...request`: the message's own `type: 'request'` would win and we would send a REQUEST back.
      const { piece, begin, length } = request;
      if (this.fastExtension) this.send({ type: 'reject-request', piece, begin, length });
    };
    if (
      (this.amChoking && !this.allowedFastToPeer.has(request.piece)) ||
      !this.owner!.canServe(request.piece)
    ) {
      refuse();
      return;
    }
    const limit = this.settings.maxIncomingRequestsPerPeer;
    if (this.incomingRequests.length >= limit) {
      // A peer that keeps asking into a full queue ignores our reqq: past `limit` such requests in a row it is
      // flooding, and answering each with a REJECT would grow our send buffer as fast as it can write.
      if (++this.requestsIntoFullQueue > limit) {
        this.close(
          'protocol-error',
          `request flood: ${this.requestsIntoFullQueue} requests into a full queue`,
        );
        return;
      }
      refuse();
      return;
    }
    this.requestsIntoFullQueue = 0;
    this.incomingRequests.push({ piece: request.piece, begin: request.begin, length: request.length });
    this.serveRequests();
  }

  // ---- serving ------------------------------------------------------------------------------------------

  /** Serves queued requests one disk read at a time, pausing while the socket's send buffer is full. */
  /** Serves requests held back by the upload rate limit (called from the torrent's tick). */
  serveQueued(): void {
    this.serveRequests();
  }

  private serveRequests(): void {
    if (this.serving || this.waitingForDrain || this.phase !== 'active') return;
    const next = this.incomingRequests[0];
    if (!next) return;
    if (this.owner!.mayUpload && !this.owner!.mayUpload(next.length)) return;
    this.incomingRequests.shift();
    this.serving = true;
    this.owner!.readBlock(next).then(
      (data) => {
        this.serving = false;
        if (this.phase !== 'active') return;
        if (this.amChoking && !this.allowedFastToPeer.has(next.piece)) {
          // Choked while reading: the queue was dropped (or rejected) already, but not this one, which had left it.
          const { piece, begin, length } = next;
          if (this.fastExtension) this.send({ type: 'reject-request', piece, begin, length });
          return;
        }
        this.connection.cork();
        this.write(encodePieceHeader(next.piece, next.begin, data.length));
        const accepted = this.write(data);
        this.connection.uncork();
        this.uploadRate.add(data.length, this.clock.now());
        this.owner!.blockUploaded(this, data.length);
        if (!accepted || this.connection.bufferedAmount > this.settings.maxUploadQueueBytesPerPeer) {
          this.waitingForDrain = true;
          return;
        }
        this.serveRequests();
      },
      () => {
        // Our data is gone, not the peer's fault: the owner has marked the piece missing. Refuse this request and
        // any other queued for pieces we no longer have, and go on serving the rest.
        this.serving = false;
        if (this.phase !== 'active') return;
        const refused = [next, ...this.incomingRequests.filter((r) => !this.owner!.canServe(r.piece))];
        this.incomingRequests.splice(
          0,
          this.incomingRequests.length,
          ...this.incomingRequests.filter((r) => this.owner!.canServe(r.piece)),
        );
        if (this.fastExtension) {
          for (const { piece, begin, length } of refused)
            this.send({ type: 'reject-request', piece, begin, length });
        }
        this.serveRequests();
      },
    );
  }

  /** BEP 5: tells a peer that runs a DHT node where ours listens, so it can add us to its routing table. */
  sendDhtPort(): void {
    if (this.dhtPort > 0 && this.peerRunsDht && this.phase === 'active') {
      this.send({ type: 'port', port: this.dhtPort });
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private sendHandshake(infoHash: Uint8Array): void {
    this.write(
      encodeHandshake({
        reserved: reservedBits({ extended: true, fast: true, dht: this.dhtPort > 0 }),
        infoHash,
        peerId: this.ourPeerId,
      }),
    );
  }

  private write(bytes: Uint8Array): boolean {
    this.lastSentAt = this.clock.now();
    return this.connection.write(bytes);
  }

  private validPiece(piece: number, what: string): boolean {
    if (piece < this.owner!.pieceCount) return true;
    this.close('protocol-error', `${what} for piece ${piece} of ${this.owner!.pieceCount}`);
    return false;
  }

  private validRange(piece: number, begin: number, length: number, what: string): boolean {
    if (!this.validPiece(piece, what)) return false;
    if (begin + length <= this.owner!.pieceSize(piece)) return true;
    this.close('protocol-error', `${what} outside piece ${piece}: ${begin}+${length}`);
    return false;
  }
}
