/**
 * The Connection contract lets a platform reuse its read buffer: a `data` chunk is valid only during the call
 * (Node reads outgoing sockets into one buffer per connection). These tests deliver every chunk through one
 * buffer that is overwritten right after the call returns, and check that framing, blocks, bitfields, MSE/RC4
 * and a byte-per-chunk dribble still come out exactly right.
 */
import { createTestPlatform, SeededRandom } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMse, type MseConnection } from '../../src/crypto/mse-handshake.js';
import { MSE_METHOD_RC4 } from '../../src/crypto/mse-protocol.js';
import type { Connection, ConnectionHandlers } from '../../src/platform/network.js';
import { ChunkQueue } from '../../src/wire/chunk-queue.js';
import { encodeHandshake, encodeMessage, MessageFramer, reservedBits } from '../../src/wire/index.js';
import { makeSwarmTorrent, Swarm, sameBytes } from '../swarm/swarm-fixture.js';
import { concat, copyMessage, encodeAny, filled, type RecordedMessage, record } from './helpers.js';

const SCRIBBLE = 0xee;

/** Pushes each chunk through one shared buffer and scribbles over it after the call, like a reusing platform. */
function pushReusing(push: (chunk: Uint8Array) => void, chunks: readonly Uint8Array[]): void {
  const buffer = new Uint8Array(Math.max(1, ...chunks.map((c) => c.length)));
  for (const chunk of chunks) {
    const view = buffer.subarray(0, chunk.length);
    view.set(chunk);
    push(view);
    view.fill(SCRIBBLE);
  }
}

/** Passes everything through but writes one byte at a time, so the far end reads one byte per `data` call. */
class DribblingConnection implements Connection {
  constructor(private readonly inner: Connection) {}
  get remoteAddress() {
    return this.inner.remoteAddress;
  }
  get remotePort() {
    return this.inner.remotePort;
  }
  get bufferedAmount() {
    return this.inner.bufferedAmount;
  }
  setHandlers(handlers: ConnectionHandlers): void {
    this.inner.setHandlers(handlers);
  }
  write(data: Uint8Array): boolean {
    let ok = true;
    for (let i = 0; i < data.length; i++) ok = this.inner.write(data.slice(i, i + 1));
    return ok;
  }
  cork(): void {}
  uncork(): void {}
  pause(): void {
    this.inner.pause();
  }
  resume(): void {
    this.inner.resume();
  }
  end(): void {
    this.inner.end();
  }
  destroy(): void {
    this.inner.destroy();
  }
}

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

const handshake = {
  reserved: reservedBits({ extended: true, fast: true }),
  infoHash: filled(20, 1),
  peerId: filled(20, 2),
};
const messages: RecordedMessage[] = [
  { type: 'bitfield', bytes: Uint8Array.from([0b1011_0110, 0xff, 0b1010_0000]) },
  { type: 'extended', extendedId: 0, payload: filled(300, 3) },
  { type: 'have', piece: 7 },
  { type: 'piece', piece: 1, begin: 16_384, block: filled(16_384, 4) },
  { type: 'keep-alive' },
  { type: 'piece', piece: 2, begin: 0, block: filled(16_384, 5) },
  { type: 'request', piece: 3, begin: 0, length: 16_384 },
  { type: 'piece', piece: 2, begin: 16_384, block: filled(9_000, 6) },
];
const stream = concat([encodeHandshake(handshake), ...messages.map(encodeAny)]);
const expected = [
  { kind: 'handshake', handshake },
  ...messages.map((message) => ({ kind: 'message', message })),
];

describe('MessageFramer with a platform that reuses its read buffer', () => {
  // 1: a byte-per-chunk dribble (slowloris handshake and messages); 7 and 1000: messages split everywhere;
  // 20_000: a PIECE split across chunks with a partial message at each chunk's end; the whole stream at once.
  for (const size of [1, 7, 1000, 20_000, stream.length]) {
    it(`chunks of ${size} bytes yield every message intact`, () => {
      const recorder = record({ expectHandshake: true });
      pushReusing((c) => recorder.framer.push(c), chunksOf(stream, size));
      expect(recorder.events).toEqual(expected);
      expect(recorder.framer.bufferedBytes).toBe(0);
    });
  }

  it('random cut points, many seeds', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = new SeededRandom(seed);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + (random.nextUint32() % (seed % 2 === 0 ? 64 : 40_000));
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      const recorder = record({ expectHandshake: true });
      pushReusing((c) => recorder.framer.push(c), chunks);
      expect(recorder.events).toEqual(expected);
    }
  });

  it('a partial message left at the end of a chunk survives the scribble and completes later', () => {
    const piece = encodeAny(messages[3]!);
    const recorder = record();
    pushReusing((c) => recorder.framer.push(c), [piece.subarray(0, 5_000)]);
    // The length prefix is consumed; the rest waits, copied out of the reused buffer.
    expect(recorder.framer.bufferedBytes).toBe(5_000 - 4);
    pushReusing((c) => recorder.framer.push(c), [piece.subarray(5_000)]);
    expect(recorder.events).toEqual([{ kind: 'message', message: messages[3] }]);
  });

  it('a handler pushing more bytes re-entrantly still gets them intact', () => {
    const have = encodeMessage({ type: 'have', piece: 9 });
    const seen: RecordedMessage[] = [];
    let pushedOnce = false;
    const framer: MessageFramer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        seen.push(copyMessage(m));
        if (!pushedOnce) {
          pushedOnce = true;
          pushReusing((c) => framer.push(c), [have]);
        }
      },
      onError: (e) => {
        throw e;
      },
    });
    pushReusing((c) => framer.push(c), [encodeMessage({ type: 'interested' })]);
    expect(seen).toEqual([{ type: 'interested' }, { type: 'have', piece: 9 }]);
  });
});

describe('ChunkQueue.ownUnread', () => {
  it('copies the unread tail of borrowed chunks, not what was already consumed or owned', () => {
    const queue = new ChunkQueue();
    const first = Uint8Array.from([1, 2, 3, 4]);
    queue.push(first);
    queue.skip(3);
    queue.ownUnread();
    first.fill(0);
    const second = Uint8Array.from([5, 6]);
    queue.push(second);
    queue.ownUnread();
    second.fill(0);
    expect(queue.length).toBe(3);
    expect(queue.chunkCount).toBe(2);
    expect(Array.from(queue.takeBytes(3))).toEqual([4, 5, 6]);
  });

  it('keeps gathering a dribbled message into one buffer (linear, bounded chunk count)', () => {
    const queue = new ChunkQueue();
    const scratch = new Uint8Array(1);
    queue.push(Uint8Array.of(0));
    queue.ownUnread();
    queue.coalesce(1000);
    for (let i = 1; i < 1000; i++) {
      scratch[0] = i & 0xff;
      queue.push(scratch);
      queue.ownUnread();
      scratch[0] = SCRIBBLE;
      expect(queue.chunkCount).toBe(1);
    }
    const bytes = queue.takeBytes(1000);
    for (let i = 0; i < 1000; i++) expect(bytes[i]).toBe(i & 0xff);
  });
});

describe('sessions on a network whose connections reuse their read buffers', () => {
  let swarm: Swarm | undefined;
  afterEach(async () => {
    await swarm?.closeAll();
    swarm = undefined;
  });

  it('a leecher downloads the exact payload from a seeder and a partial peer (bitfields, blocks)', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 700_000 + 123 }], 64 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 8 * 1024 * 1024, latencyMs: 3 });
    swarm.network.conditions.reuseReadBuffers = true;
    const seeder = await swarm.addSeeder();
    const first = await swarm.addLeecher({}, [seeder]);
    await swarm.clock.runUntil(() => first.torrent.complete, { maxMs: 120_000 });
    const second = await swarm.addLeecher({}, [first, seeder]);
    await swarm.clock.runUntil(() => second.torrent.complete, { maxMs: 120_000 });
    expect(sameBytes(swarm.contents(first), torrent.payload)).toBe(true);
    expect(sameBytes(swarm.contents(second), torrent.payload)).toBe(true);
  });

  it('an RC4 MSE stream sent byte by byte: handshake, bitfield and a PIECE arrive intact on both sides', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'f.bin', length: 100_000 }], 32 * 1024);
    swarm = new Swarm(torrent);
    swarm.network.conditions.reuseReadBuffers = true;
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.status().state === 'seeding');
    const client = createTestPlatform({ seed: 9, host: '10.0.0.200', network: swarm.network });
    let raw: Awaited<ReturnType<typeof client.tcp.connect>> | undefined;
    void client.tcp.connect(seeder.host, 6881, new AbortController().signal).then((c) => {
      raw = c;
    });
    await swarm.clock.runUntil(() => raw !== undefined);
    // The MSE handshake and what follows reach the seeder one byte per read (a slowloris MSE handshake).
    const dribbling = new DribblingConnection(raw!);
    let mse: MseConnection | undefined;
    void connectMse(dribbling, {
      clock: swarm.clock,
      random: new SeededRandom(4),
      timeoutMs: 10_000,
      skey: torrent.info.infoHash,
      providedMethods: MSE_METHOD_RC4,
      initialPayload: encodeHandshake({
        reserved: reservedBits({ fast: true }),
        infoHash: torrent.info.infoHash,
        peerId: new Uint8Array(20).fill(0x61),
      }),
    }).then((result) => {
      mse = result;
    });
    await swarm.clock.runUntil(() => mse !== undefined);
    expect(mse!.connection.encryption).toBe('rc4');
    const recorder = record({ expectHandshake: true });
    // The RC4 connection decrypts into a buffer it reuses too; scribble it after each call.
    mse!.connection.setHandlers({
      data: (c) => {
        recorder.framer.push(c);
        c.fill(SCRIBBLE);
      },
      drain: () => {},
      close: () => {},
    });
    const types = () => recorder.events.map((e) => (e.kind === 'message' ? e.message.type : e.kind));
    await swarm.clock.runUntil(() => types().includes('have-all'));
    const first = recorder.events[0];
    expect(first?.kind === 'handshake' && sameBytes(first.handshake.infoHash, torrent.info.infoHash)).toBe(
      true,
    );
    mse!.connection.write(encodeMessage({ type: 'interested' }));
    await swarm.clock.runUntil(() => types().includes('unchoke'), { maxMs: 60_000 });
    mse!.connection.write(encodeMessage({ type: 'request', piece: 1, begin: 16_384, length: 16_384 }));
    await swarm.clock.runUntil(() => types().includes('piece'));
    const piece = recorder.events.find((e) => e.kind === 'message' && e.message.type === 'piece');
    expect(piece).toEqual({
      kind: 'message',
      message: {
        type: 'piece',
        piece: 1,
        begin: 16_384,
        block: torrent.payload.slice(32 * 1024 + 16_384, 32 * 1024 + 32_768),
      },
    });
  });
});
