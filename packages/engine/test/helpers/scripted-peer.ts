/**
 * A scripted fake peer for engine tests: listens on a MemoryNetwork host (to be dialled by a bitloom leecher) or
 * dials a bitloom session itself (to attack a seeder), speaks the wire protocol through the real codec, records
 * every message bitloom sends, and sends whatever the test tells it to — valid messages or raw bytes.
 */
import {
  type Clock,
  type Connection,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  type Handshake,
  MessageFramer,
  type PeerMessage,
  reservedBits,
} from '@bitloom/engine';
import type { MemoryHost } from '@bitloom/testkit';

export type RecordedMessage =
  | Exclude<PeerMessage, { type: 'piece' }>
  | { type: 'piece'; piece: number; begin: number; length: number };

/** How the scripted peer presents itself. */
export interface ScriptedPeerOptions {
  /** Set the BEP 6 Fast bit in our handshake. */
  fast?: boolean;
  /** Set the BEP 10 extension-protocol bit in our handshake. */
  extended?: boolean;
  /** Set the BEP 5 DHT bit in our handshake. */
  dht?: boolean;
  /** Our 20-byte peer id; default `-XX0001-scriptedpeer`. */
  peerId?: Uint8Array;
  /** Stamps `closedAt` with this clock's time. */
  clock?: Clock;
}

/** Options of {@link ScriptedPeer.dial}. */
export interface DialOptions extends ScriptedPeerOptions {
  /** The info-hash our handshake names. */
  infoHash: Uint8Array;
  /** Send our handshake as soon as the connection opens (default true); false to trickle it with `sendRaw`. */
  sendHandshake?: boolean;
}

const DEFAULT_PEER_ID = new TextEncoder().encode('-XX0001-scriptedpeer');

export class ScriptedPeer {
  readonly received: RecordedMessage[] = [];
  handshake: Handshake | undefined;
  closed = false;
  /** The virtual time the connection closed, when a clock was given. */
  closedAt: number | undefined;
  private connection: Connection | undefined;

  constructor(
    readonly host: MemoryHost,
    readonly port: number,
  ) {}

  static async listen(host: MemoryHost, port: number, options: ScriptedPeerOptions = {}) {
    const peer = new ScriptedPeer(host, port);
    await host.tcp.listen(host.address, port, (connection) => peer.attach(connection, options, 'answer'));
    return peer;
  }

  /**
   * Dials `address:port` (a bitloom session's listen port). Returns at once; the connection opens as the
   * network's clock moves (`await clock.runUntil(() => peer.connected)`).
   */
  static dial(host: MemoryHost, address: string, port: number, options: DialOptions): ScriptedPeer {
    const peer = new ScriptedPeer(host, port);
    host.tcp.connect(address, port, new AbortController().signal).then(
      (connection) => {
        peer.attach(connection, options, 'none');
        if (options.sendHandshake !== false) peer.sendRaw(handshakeBytes(options, options.infoHash));
      },
      () => {
        peer.closed = true;
        peer.closedAt = options.clock?.now();
      },
    );
    return peer;
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.closed;
  }

  requests(): { piece: number; begin: number; length: number }[] {
    return this.received.flatMap((m) =>
      m.type === 'request' ? [{ piece: m.piece, begin: m.begin, length: m.length }] : [],
    );
  }

  /** How many messages of `type` bitloom has sent us. */
  count(type: RecordedMessage['type']): number {
    let n = 0;
    for (const m of this.received) if (m.type === type) n++;
    return n;
  }

  send(message: Exclude<PeerMessage, { type: 'piece' | 'unknown' }>): void {
    this.connection!.write(encodeMessage(message));
  }

  sendRaw(bytes: Uint8Array): void {
    this.connection!.write(bytes);
  }

  sendBlock(piece: number, begin: number, data: Uint8Array): void {
    this.connection!.write(encodePieceHeader(piece, begin, data.length));
    this.connection!.write(data);
  }

  /** Stops reading what bitloom sends (its send buffer fills, as with a peer that never reads). */
  pauseReading(): void {
    this.connection!.pause();
  }

  /** Drops the connection from our side. */
  destroy(): void {
    this.connection?.destroy();
  }

  private attach(connection: Connection, options: ScriptedPeerOptions, reply: 'answer' | 'none'): void {
    this.connection = connection;
    const framer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: true,
      onHandshake: (h) => {
        this.handshake = {
          reserved: h.reserved.slice(),
          infoHash: h.infoHash.slice(),
          peerId: h.peerId.slice(),
        };
        if (reply === 'answer') connection.write(handshakeBytes(options, this.handshake.infoHash));
      },
      onMessage: (m) => {
        if (m.type === 'piece')
          this.received.push({ type: 'piece', piece: m.piece, begin: m.begin, length: m.block.length });
        else if (m.type === 'bitfield') this.received.push({ type: 'bitfield', bytes: m.bytes.slice() });
        else if (m.type === 'extended')
          this.received.push({ type: 'extended', extendedId: m.extendedId, payload: m.payload.slice() });
        else this.received.push(m);
      },
      onError: () => connection.destroy(),
    });
    connection.setHandlers({
      data: (chunk) => framer.push(chunk),
      drain: () => {},
      close: () => {
        this.closed = true;
        this.closedAt = options.clock?.now();
      },
    });
  }
}

function handshakeBytes(options: ScriptedPeerOptions, infoHash: Uint8Array): Uint8Array {
  return encodeHandshake({
    reserved: reservedBits({
      fast: options.fast ?? false,
      extended: options.extended ?? false,
      dht: options.dht ?? false,
    }),
    infoHash,
    peerId: options.peerId ?? DEFAULT_PEER_ID,
  });
}
