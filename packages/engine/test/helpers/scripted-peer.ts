/**
 * A scripted fake peer for engine tests: listens on a MemoryNetwork host, speaks the wire protocol through the
 * real codec, records every message bitloom sends, and sends whatever the test tells it to.
 */
import {
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

export class ScriptedPeer {
  readonly received: RecordedMessage[] = [];
  handshake: Handshake | undefined;
  closed = false;
  private connection: Connection | undefined;

  constructor(
    readonly host: MemoryHost,
    readonly port: number,
  ) {}

  static async listen(host: MemoryHost, port: number, options: { fast?: boolean; extended?: boolean } = {}) {
    const peer = new ScriptedPeer(host, port);
    await host.tcp.listen(host.address, port, (connection) => peer.accept(connection, options));
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

  private accept(connection: Connection, options: { fast?: boolean; extended?: boolean }): void {
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
        connection.write(
          encodeHandshake({
            reserved: reservedBits({ fast: options.fast ?? false, extended: options.extended ?? false }),
            infoHash: this.handshake.infoHash,
            peerId: new TextEncoder().encode('-XX0001-scriptedpeer'),
          }),
        );
      },
      onMessage: (m) => {
        if (m.type === 'piece')
          this.received.push({ type: 'piece', piece: m.piece, begin: m.begin, length: m.block.length });
        else if (m.type === 'bitfield') this.received.push({ type: 'bitfield', bytes: m.bytes.slice() });
        else this.received.push(m);
      },
      onError: () => connection.destroy(),
    });
    connection.setHandlers({
      data: (chunk) => framer.push(chunk),
      drain: () => {},
      close: () => {
        this.closed = true;
      },
    });
  }
}
