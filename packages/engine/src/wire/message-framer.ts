/**
 * The incremental, bounded decoder of a peer's byte stream (BEP 3 handshake and messages, BEP 6 Fast, BEP 10
 * extended envelope). Chunks go in through `push`; complete messages come out synchronously through `onMessage`.
 * Every length is checked the moment it is known, before anything waits on it, so a hostile length costs nothing.
 * The framer only reports: closing a silent or slow peer is the connection's job.
 */
import { ChunkQueue } from './chunk-queue.js';
import { HANDSHAKE_LENGTH, type Handshake, PROTOCOL_HEADER } from './handshake.js';
import { MessageId, type PeerMessage } from './message.js';
import { WireError, type WireErrorCode } from './wire-error.js';

/** How a {@link MessageFramer} is limited and where it reports. */
export interface MessageFramerOptions {
  /** Largest accepted message (id + payload), checked the moment the 4-byte length prefix is complete. */
  maxMessageLength: number;
  /** The stream starts with the 68-byte handshake. */
  expectHandshake: boolean;
  /** The peer's handshake; its views may alias the chunk: copy what you keep. */
  onHandshake(h: Handshake): void;
  /** Called synchronously from `push()`; byte views are valid only during the call. */
  onMessage(m: PeerMessage): void;
  /** The stream broke the protocol; called once, after which the framer ignores further input. */
  onError(e: WireError): void;
}

enum State {
  Handshake,
  LengthPrefix,
  Body,
  SkipUnknown,
  Stopped,
}

/** Past this many chunks for one pending message, its bytes are gathered into one buffer (see ChunkQueue). */
const MAX_CHUNKS_PER_PENDING_MESSAGE = 32;

// Messages without fields are shared frozen objects: no allocation per choke, keep-alive, …
const KEEP_ALIVE: PeerMessage = Object.freeze({ type: 'keep-alive' });
const CHOKE: PeerMessage = Object.freeze({ type: 'choke' });
const UNCHOKE: PeerMessage = Object.freeze({ type: 'unchoke' });
const INTERESTED: PeerMessage = Object.freeze({ type: 'interested' });
const NOT_INTERESTED: PeerMessage = Object.freeze({ type: 'not-interested' });
const HAVE_ALL: PeerMessage = Object.freeze({ type: 'have-all' });
const HAVE_NONE: PeerMessage = Object.freeze({ type: 'have-none' });

/**
 * Message length (id + payload) a known id requires: a positive number is the exact length, a negative one the
 * minimum (as -min). Unknown ids are absent.
 */
const REQUIRED_LENGTH: ReadonlyMap<number, number> = new Map([
  [MessageId.choke, 1],
  [MessageId.unchoke, 1],
  [MessageId.interested, 1],
  [MessageId.notInterested, 1],
  [MessageId.haveAll, 1],
  [MessageId.haveNone, 1],
  [MessageId.have, 5],
  [MessageId.suggestPiece, 5],
  [MessageId.allowedFast, 5],
  [MessageId.request, 13],
  [MessageId.cancel, 13],
  [MessageId.rejectRequest, 13],
  [MessageId.port, 3],
  [MessageId.piece, -9],
  [MessageId.bitfield, -1],
  [MessageId.extended, -2],
]);

/** Frames one peer's byte stream into handshake and messages. */
export class MessageFramer {
  private readonly options: MessageFramerOptions;
  private readonly queue = new ChunkQueue();
  private state: State;
  /** Stream offset of the next unread byte, for error reports. */
  private consumed = 0;
  /** Stream offset where the current message's length prefix starts. */
  private messageStart = 0;
  /** Length (id + payload) of the message in `Body` state. */
  private bodyLength = 0;
  /** Handshake bytes already checked against the protocol header. */
  private protocolBytesChecked = 0;
  private unknownId = 0;
  private unknownLength = 0;
  private skipRemaining = 0;
  private draining = false;

  constructor(options: MessageFramerOptions) {
    this.options = options;
    this.state = options.expectHandshake ? State.Handshake : State.LengthPrefix;
  }

  /** Bytes received but not yet reported (an incomplete handshake or message). */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** Whether the framer stopped, after an error or `stop()`, and ignores input. */
  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /**
   * Feeds received bytes. The chunk is only borrowed for the call (the platform may reuse it afterwards): views
   * reported during the call may alias it, and the unconsumed tail (part of one message) is copied before return.
   */
  push(chunk: Uint8Array): void {
    if (this.state === State.Stopped || chunk.length === 0) return;
    // A handler that pushes again only queues; the outer loop frames it, in order, after this caller returned.
    if (this.draining) {
      this.queue.push(chunk.slice());
      return;
    }
    this.queue.push(chunk);
    this.draining = true;
    try {
      this.drain();
    } finally {
      this.draining = false;
      this.queue.compact();
      this.queue.ownUnread();
    }
  }

  /** Stops reporting (e.g. the connection is closing) and releases buffered bytes. */
  stop(): void {
    this.state = State.Stopped;
    this.queue.clear();
  }

  private drain(): void {
    for (;;) {
      switch (this.state) {
        case State.Handshake:
          if (!this.readHandshake()) return;
          break;
        case State.LengthPrefix:
          if (!this.readLengthPrefix()) return;
          break;
        case State.Body:
          if (!this.readBody()) return;
          break;
        case State.SkipUnknown:
          if (!this.skipUnknown()) return;
          break;
        case State.Stopped:
          return;
      }
    }
  }

  private readHandshake(): boolean {
    const queue = this.queue;
    // Check the protocol header byte by byte as it arrives, so a stranger (HTTP, TLS, …) is refused at once.
    const checkable = Math.min(queue.length, PROTOCOL_HEADER.length);
    for (let i = this.protocolBytesChecked; i < checkable; i++) {
      if (queue.peekUint8At(i) !== PROTOCOL_HEADER[i]) {
        const what = i === 0 ? `protocol name length ${queue.peekUint8At(0)}, expected 19` : 'protocol name';
        this.fail('WIRE_BAD_PROTOCOL', `bad handshake: ${what}, not "BitTorrent protocol"`, 0);
        return false;
      }
    }
    this.protocolBytesChecked = checkable;
    if (queue.length < HANDSHAKE_LENGTH) return false;
    queue.skip(PROTOCOL_HEADER.length);
    const reserved = queue.takeBytes(8);
    const infoHash = queue.takeBytes(20);
    const peerId = queue.takeBytes(20);
    this.consumed += HANDSHAKE_LENGTH;
    this.state = State.LengthPrefix;
    this.options.onHandshake({ reserved, infoHash, peerId });
    return true;
  }

  private readLengthPrefix(): boolean {
    const queue = this.queue;
    if (queue.length < 4) return false;
    const start = this.consumed;
    const length = queue.readUint32();
    this.consumed = start + 4;
    if (length === 0) {
      this.options.onMessage(KEEP_ALIVE);
      return true;
    }
    if (length > this.options.maxMessageLength) {
      this.fail(
        'WIRE_MESSAGE_TOO_LONG',
        `message length ${length} exceeds the limit of ${this.options.maxMessageLength}`,
        start,
      );
      return false;
    }
    this.messageStart = start;
    this.bodyLength = length;
    this.state = State.Body;
    return true;
  }

  private readBody(): boolean {
    const queue = this.queue;
    if (queue.length === 0) return false;
    const id = queue.peekUint8();
    const length = this.bodyLength;
    const required = REQUIRED_LENGTH.get(id);
    if (required === undefined) {
      // Unknown ids are skipped as their bytes arrive, never buffered.
      queue.skip(1);
      this.consumed += 1;
      this.unknownId = id;
      this.unknownLength = length - 1;
      this.skipRemaining = length - 1;
      this.state = State.SkipUnknown;
      return true;
    }
    if (required > 0 ? length !== required : length < -required) {
      const expected = required > 0 ? `${required}` : `at least ${-required}`;
      this.fail(
        'WIRE_BAD_MESSAGE_LENGTH',
        `message id ${id} has length ${length}, expected ${expected}`,
        this.messageStart,
      );
      return false;
    }
    if (queue.length < length) {
      if (queue.chunkCount > MAX_CHUNKS_PER_PENDING_MESSAGE) queue.coalesce(length);
      return false;
    }
    queue.skip(1);
    const message = this.decodePayload(id, length - 1);
    this.consumed += length;
    this.state = State.LengthPrefix;
    this.options.onMessage(message);
    return true;
  }

  /** Decodes the payload of a known message whose bytes are all buffered and whose length was checked. */
  private decodePayload(id: number, payloadLength: number): PeerMessage {
    const queue = this.queue;
    switch (id) {
      case MessageId.choke:
        return CHOKE;
      case MessageId.unchoke:
        return UNCHOKE;
      case MessageId.interested:
        return INTERESTED;
      case MessageId.notInterested:
        return NOT_INTERESTED;
      case MessageId.haveAll:
        return HAVE_ALL;
      case MessageId.haveNone:
        return HAVE_NONE;
      case MessageId.have:
        return { type: 'have', piece: queue.readUint32() };
      case MessageId.suggestPiece:
        return { type: 'suggest-piece', piece: queue.readUint32() };
      case MessageId.allowedFast:
        return { type: 'allowed-fast', piece: queue.readUint32() };
      case MessageId.request:
        return {
          type: 'request',
          piece: queue.readUint32(),
          begin: queue.readUint32(),
          length: queue.readUint32(),
        };
      case MessageId.cancel:
        return {
          type: 'cancel',
          piece: queue.readUint32(),
          begin: queue.readUint32(),
          length: queue.readUint32(),
        };
      case MessageId.rejectRequest:
        return {
          type: 'reject-request',
          piece: queue.readUint32(),
          begin: queue.readUint32(),
          length: queue.readUint32(),
        };
      case MessageId.port:
        return { type: 'port', port: queue.readUint16() };
      case MessageId.piece: {
        const piece = queue.readUint32();
        const begin = queue.readUint32();
        return { type: 'piece', piece, begin, block: queue.takeBlock(payloadLength - 8) };
      }
      case MessageId.bitfield:
        return { type: 'bitfield', bytes: queue.takeBytes(payloadLength) };
      default: {
        // MessageId.extended, the only other id in REQUIRED_LENGTH.
        const extendedId = queue.readUint8();
        return { type: 'extended', extendedId, payload: queue.takeBytes(payloadLength - 1) };
      }
    }
  }

  private skipUnknown(): boolean {
    const step = Math.min(this.skipRemaining, this.queue.length);
    this.queue.skip(step);
    this.consumed += step;
    this.skipRemaining -= step;
    if (this.skipRemaining > 0) return false;
    this.state = State.LengthPrefix;
    this.options.onMessage({ type: 'unknown', id: this.unknownId, length: this.unknownLength });
    return true;
  }

  private fail(code: WireErrorCode, message: string, offset: number): void {
    this.stop();
    this.options.onError(new WireError(code, `${message} (at stream offset ${offset})`, offset));
  }
}
