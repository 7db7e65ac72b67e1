/**
 * Outgoing TCP connections read into one reused buffer per connection (`onread`): each `data` chunk is a view
 * of the same memory, valid only during the call. Peer wire messages framed from it still come out intact (a
 * PIECE split across reads, partial messages at read ends), and pause/resume back-pressure still holds reads.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Connection } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  MessageFramer,
} from '../../engine/src/wire/index.js';
import { SOCKET_READ_BUFFER_BYTES } from '../src/socket-read-buffer.js';
import { NodeTcpTransport } from '../src/tcp-transport.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server that hands each accepted socket to `onSocket`; resolves with its port. */
async function serve(onSocket: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function connectTo(port: number): Promise<Connection> {
  const transport = new NodeTcpTransport();
  cleanups.push(() => transport.close());
  return transport.connect('127.0.0.1', port, new AbortController().signal);
}

/** Lets the event loop run `turns` times (I/O callbacks included), without waiting on wall time. */
async function eventLoopTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 13 + seed * 101 + (i >> 9)) & 0xff;
  return out;
}

describe('outgoing connections read into one reused buffer', () => {
  it('frames handshake, bitfield and 200 PIECEs intact although every read lands in the same memory', async () => {
    const infoHash = pattern(20, 1);
    const bitfield = pattern(125, 2);
    const blocks = Array.from({ length: 200 }, (_, i) => pattern(16_384 - (i % 3) * 1000, i + 3));
    const parts: Uint8Array[] = [
      encodeHandshake({ reserved: new Uint8Array(8), infoHash, peerId: pattern(20, 9) }),
      encodeMessage({ type: 'bitfield', bytes: bitfield }),
    ];
    for (const [i, block] of blocks.entries()) parts.push(encodePieceHeader(i, 0, block.length), block);
    const port = await serve((socket) => {
      // Odd-sized writes, so reads end inside messages (including inside a PIECE's header and block).
      const all = Buffer.concat(parts);
      for (let at = 0; at < all.length; at += 40_001) socket.write(all.subarray(at, at + 40_001));
      socket.end();
    });
    const connection = await connectTo(port);

    const buffers = new Set<ArrayBufferLike>();
    let largestRead = 0;
    let handshakeHash: Uint8Array | undefined;
    let receivedBitfield: Uint8Array | undefined;
    const received: { piece: number; bytes: Uint8Array }[] = [];
    const framer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: true,
      onHandshake: (h) => {
        handshakeHash = h.infoHash.slice();
      },
      onMessage: (m) => {
        if (m.type === 'bitfield') receivedBitfield = m.bytes.slice();
        if (m.type === 'piece') received.push({ piece: m.piece, bytes: m.block.bytes().slice() });
      },
      onError: (e) => {
        throw e;
      },
    });
    await new Promise<void>((resolve) => {
      connection.setHandlers({
        data: (chunk) => {
          buffers.add(chunk.buffer);
          largestRead = Math.max(largestRead, chunk.length);
          framer.push(chunk);
        },
        drain: () => {},
        close: () => resolve(),
      });
    });
    expect(buffers.size).toBe(1);
    expect(largestRead).toBeLessThanOrEqual(SOCKET_READ_BUFFER_BYTES);
    expect(handshakeHash).toEqual(infoHash);
    expect(receivedBitfield).toEqual(bitfield);
    expect(received.length).toBe(blocks.length);
    const wrong = blocks.findIndex(
      (block, i) => received[i]!.piece !== i || Buffer.compare(received[i]!.bytes, block) !== 0,
    );
    expect(wrong).toBe(-1);
  });

  it('pause holds reads (the sender stays backed up) and resume delivers everything in order', async () => {
    const piece = pattern(1 << 20, 5);
    const pieces = 24;
    let sender: Socket | undefined;
    const port = await serve((socket) => {
      sender = socket;
      for (let i = 0; i < pieces; i++) socket.write(piece);
      socket.end();
    });
    const connection = await connectTo(port);
    let bytes = 0;
    let sum = 0;
    const closed = new Promise<void>((resolve) => {
      connection.pause();
      connection.setHandlers({
        data: (chunk) => {
          for (let i = 0; i < chunk.length; i++) sum = (sum + chunk[i]! * ((bytes + i) % 251)) % 1_000_003;
          bytes += chunk.length;
        },
        drain: () => {},
        close: () => resolve(),
      });
    });
    await eventLoopTurns(50);
    // Paused before any read: nothing arrived, and the sender still holds what the kernel buffers could not take.
    expect(bytes).toBe(0);
    expect(sender!.writableLength).toBeGreaterThan(0);
    connection.resume();
    await closed;
    expect(bytes).toBe(pieces * piece.length);
    let expectedSum = 0;
    for (let at = 0; at < bytes; at++) {
      expectedSum = (expectedSum + piece[at % piece.length]! * (at % 251)) % 1_000_003;
    }
    expect(sum).toBe(expectedSum);
  });
});
