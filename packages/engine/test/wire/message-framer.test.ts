import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageFramer, type PeerMessage, reservedBits } from '../../src/wire/index.js';
import {
  concat,
  encodeAny,
  filled,
  handshakeBytes,
  messageEvents,
  type RecordedMessage,
  record,
  splitAt,
  u32,
} from './helpers.js';

/** One of every message the framer reports (except unknown), with edge values. */
const everyMessage: RecordedMessage[] = [
  { type: 'keep-alive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'not-interested' },
  { type: 'have', piece: 0xffffffff },
  { type: 'bitfield', bytes: Uint8Array.from([0b10100000, 0xff]) },
  { type: 'bitfield', bytes: new Uint8Array(0) },
  { type: 'request', piece: 3, begin: 0x4000, length: 0x4000 },
  { type: 'piece', piece: 3, begin: 0x4000, block: filled(100, 1) },
  { type: 'piece', piece: 0, begin: 0, block: new Uint8Array(0) },
  { type: 'cancel', piece: 3, begin: 0x4000, length: 0x4000 },
  { type: 'port', port: 65535 },
  { type: 'suggest-piece', piece: 17 },
  { type: 'have-all' },
  { type: 'have-none' },
  { type: 'reject-request', piece: 1, begin: 2, length: 3 },
  { type: 'allowed-fast', piece: 42 },
  { type: 'extended', extendedId: 0, payload: new TextEncoder().encode('d1:md11:ut_metadatai1eee') },
  { type: 'extended', extendedId: 255, payload: new Uint8Array(0) },
];
const everyMessageStream = concat(everyMessage.map(encodeAny));

describe('MessageFramer: round trips', () => {
  it.each(everyMessage.map((m) => [m.type, m] as const))(
    '%s: encode → framer gives it back',
    (_type, message) => {
      const { framer, events } = record();
      framer.push(encodeAny(message));
      expect(events).toEqual(messageEvents([message]));
      expect(framer.bufferedBytes).toBe(0);
    },
  );

  it('reports many messages pushed in one chunk, in order', () => {
    const { framer, events } = record();
    framer.push(concat([everyMessageStream, everyMessageStream]));
    expect(events).toEqual(messageEvents([...everyMessage, ...everyMessage]));
  });

  it('gives the same messages whichever byte boundary the stream is split at', () => {
    for (let cut = 0; cut <= everyMessageStream.length; cut++) {
      const { framer, events } = record();
      for (const chunk of splitAt(everyMessageStream, [cut])) framer.push(chunk);
      expect(events, `split at ${cut}`).toEqual(messageEvents(everyMessage));
    }
  });

  it('gives the same messages when every byte arrives alone', () => {
    const { framer, events } = record();
    for (const byte of everyMessageStream) framer.push(Uint8Array.of(byte));
    expect(events).toEqual(messageEvents(everyMessage));
    expect(framer.bufferedBytes).toBe(0);
  });

  it('holds an incomplete message as buffered bytes until it completes', () => {
    const { framer, events } = record();
    const have = encodeMessage({ type: 'have', piece: 7 });
    framer.push(have.subarray(0, 6));
    expect(events).toEqual([]);
    expect(framer.bufferedBytes).toBe(2); // the length prefix is consumed, id + 1 payload byte wait
    framer.push(have.subarray(6));
    expect(events).toEqual(messageEvents([{ type: 'have', piece: 7 }]));
    expect(framer.bufferedBytes).toBe(0);
  });
});

describe('MessageFramer: PIECE payloads', () => {
  const block = filled(16 * 1024, 9);
  const stream = encodeAny({ type: 'piece', piece: 12, begin: 0x8000, block });

  it('copies a block split across 3+ chunks once, to the requested place', () => {
    // Cuts inside the header and at three places inside the block.
    const chunks = splitAt(stream, [7, 13 + 100, 13 + 5000, 13 + 5001, 13 + 16000]);
    const target = new Uint8Array(block.length + 20).fill(0xee);
    const seen: number[] = [];
    const framer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        if (m.type !== 'piece') throw new Error(`unexpected ${m.type}`);
        seen.push(m.piece, m.begin, m.block.length);
        m.block.copyTo(target, 10);
        expect(m.block.bytes()).toEqual(block);
      },
      onError: (e) => {
        throw e;
      },
    });
    for (const chunk of chunks) framer.push(chunk);
    expect(seen).toEqual([12, 0x8000, block.length]);
    expect(target.subarray(10, 10 + block.length)).toEqual(block);
    expect(target.subarray(0, 10)).toEqual(new Uint8Array(10).fill(0xee));
    expect(target.subarray(10 + block.length)).toEqual(new Uint8Array(10).fill(0xee));
  });

  it('hands out a view, not a copy, when the block sits in one chunk', () => {
    let view: Uint8Array | undefined;
    const framer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        if (m.type === 'piece') view = m.block.bytes();
      },
      onError: () => {},
    });
    framer.push(stream);
    expect(view?.buffer).toBe(stream.buffer);
    expect(view?.byteOffset).toBe(13);
  });

  it('refuses a copyTo target too small for the block (a caller bug), without writing', () => {
    const target = new Uint8Array(block.length);
    let thrown: unknown;
    const framer = new MessageFramer({
      maxMessageLength: 1 << 20,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        if (m.type !== 'piece') return;
        try {
          m.block.copyTo(target, 1);
        } catch (error) {
          thrown = error;
        }
      },
      onError: () => {},
    });
    for (const chunk of splitAt(stream, [20, 30])) framer.push(chunk);
    expect(thrown).toMatchObject({ code: 'WIRE_BAD_ARGUMENT' });
    expect(target).toEqual(new Uint8Array(block.length));
  });
});

describe('MessageFramer: handshake', () => {
  const handshake = {
    reserved: reservedBits({ extended: true, fast: true }),
    infoHash: filled(20, 3),
    peerId: filled(20, 4),
  };
  const stream = concat([
    handshakeBytes(handshake),
    encodeMessage({ type: 'have-all' }),
    encodeMessage({ type: 'unchoke' }),
  ]);

  it('reports the handshake, then the messages that follow it in the same chunk', () => {
    const { framer, events } = record({ expectHandshake: true });
    framer.push(stream);
    expect(events).toEqual([
      { kind: 'handshake', handshake },
      ...messageEvents([{ type: 'have-all' }, { type: 'unchoke' }]),
    ]);
  });

  it('reassembles a handshake split at every byte boundary', () => {
    for (let cut = 0; cut <= 68; cut++) {
      const { framer, events } = record({ expectHandshake: true });
      for (const chunk of splitAt(stream, [cut])) framer.push(chunk);
      expect(events[0], `split at ${cut}`).toEqual({ kind: 'handshake', handshake });
      expect(events).toHaveLength(3);
    }
  });

  it('waits for all 68 bytes before reporting', () => {
    const { framer, events } = record({ expectHandshake: true });
    framer.push(stream.subarray(0, 67));
    expect(events).toEqual([]);
    expect(framer.bufferedBytes).toBe(67);
  });
});

describe('MessageFramer: unknown message ids', () => {
  it('skips the payload of an unknown id and goes on with the next message', () => {
    const unknown = Uint8Array.from([...u32(4), 0x42, 1, 2, 3]);
    const { framer, events } = record();
    framer.push(concat([unknown, encodeMessage({ type: 'choke' })]));
    expect(events).toEqual(messageEvents([{ type: 'unknown', id: 0x42, length: 3 }, { type: 'choke' }]));
  });

  it('does not buffer an unknown payload while it is skipped', () => {
    const { framer, events } = record({ maxMessageLength: 100_000 });
    framer.push(Uint8Array.from([...u32(50_001), 0x99]));
    for (let i = 0; i < 5; i++) {
      framer.push(new Uint8Array(10_000));
      expect(framer.bufferedBytes).toBe(0);
    }
    expect(events).toEqual(messageEvents([{ type: 'unknown', id: 0x99, length: 50_000 }]));
  });
});

describe('MessageFramer: dispatch control', () => {
  it('frames bytes pushed from inside a handler after the current chunk, in order', () => {
    const seen: PeerMessage['type'][] = [];
    const framer: MessageFramer = new MessageFramer({
      maxMessageLength: 1000,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        seen.push(m.type);
        if (m.type === 'choke') framer.push(encodeMessage({ type: 'have-none' }));
      },
      onError: () => {},
    });
    framer.push(concat([encodeMessage({ type: 'choke' }), encodeMessage({ type: 'unchoke' })]));
    expect(seen).toEqual(['choke', 'unchoke', 'have-none']);
  });

  it('stops reporting the moment a handler calls stop()', () => {
    const seen: string[] = [];
    const framer: MessageFramer = new MessageFramer({
      maxMessageLength: 1000,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        seen.push(m.type);
        framer.stop();
      },
      onError: () => {},
    });
    framer.push(concat([encodeMessage({ type: 'choke' }), encodeMessage({ type: 'unchoke' })]));
    framer.push(encodeMessage({ type: 'interested' }));
    expect(seen).toEqual(['choke']);
    expect(framer.stopped).toBe(true);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('stays consistent when a handler throws: the throw surfaces, later messages still come', () => {
    const seen: string[] = [];
    const framer = new MessageFramer({
      maxMessageLength: 1000,
      expectHandshake: false,
      onHandshake: () => {},
      onMessage: (m) => {
        seen.push(m.type);
        if (m.type === 'choke') throw new Error('handler bug');
      },
      onError: () => {},
    });
    expect(() =>
      framer.push(concat([encodeMessage({ type: 'choke' }), encodeMessage({ type: 'unchoke' })])),
    ).toThrow('handler bug');
    framer.push(encodeMessage({ type: 'interested' }));
    expect(seen).toEqual(['choke', 'unchoke', 'interested']);
  });
});
