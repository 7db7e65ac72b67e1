/**
 * Test helpers for the wire codec: a framer that records what it reports as plain data (byte views copied, since
 * the framer's views are only valid during the callback), and stream builders.
 */
import {
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  type Handshake,
  MessageFramer,
  type PeerMessage,
  type WireError,
} from '../../src/wire/index.js';

/** A reported message with byte fields copied, comparable with `toEqual`. */
export type RecordedMessage =
  | Exclude<PeerMessage, { type: 'piece' }>
  | { type: 'piece'; piece: number; begin: number; block: Uint8Array };

export type FramerEvent =
  | { kind: 'handshake'; handshake: Handshake }
  | { kind: 'message'; message: RecordedMessage }
  | { kind: 'error'; code: string; offset: number };

export interface Recorder {
  framer: MessageFramer;
  events: FramerEvent[];
  errors: WireError[];
}

export function record(options: { maxMessageLength?: number; expectHandshake?: boolean } = {}): Recorder {
  const events: FramerEvent[] = [];
  const errors: WireError[] = [];
  const framer = new MessageFramer({
    maxMessageLength: options.maxMessageLength ?? 1 << 20,
    expectHandshake: options.expectHandshake ?? false,
    onHandshake: (h) =>
      events.push({
        kind: 'handshake',
        handshake: { reserved: copy(h.reserved), infoHash: copy(h.infoHash), peerId: copy(h.peerId) },
      }),
    onMessage: (m) => events.push({ kind: 'message', message: copyMessage(m) }),
    onError: (e) => {
      errors.push(e);
      events.push({ kind: 'error', code: e.code, offset: e.offset });
    },
  });
  return { framer, events, errors };
}

export function copyMessage(m: PeerMessage): RecordedMessage {
  switch (m.type) {
    case 'piece':
      return { type: 'piece', piece: m.piece, begin: m.begin, block: copy(m.block.bytes()) };
    case 'bitfield':
      return { type: 'bitfield', bytes: copy(m.bytes) };
    case 'extended':
      return { type: 'extended', extendedId: m.extendedId, payload: copy(m.payload) };
    default:
      return { ...m };
  }
}

/** Encodes any recordable message, PIECE as header + block. */
export function encodeAny(m: RecordedMessage): Uint8Array {
  if (m.type === 'piece') return concat([encodePieceHeader(m.piece, m.begin, m.block.length), m.block]);
  if (m.type === 'unknown') throw new Error('unknown messages have no encoder');
  return encodeMessage(m);
}

export function messageEvents(messages: readonly RecordedMessage[]): FramerEvent[] {
  return messages.map((message) => ({ kind: 'message', message }));
}

export function handshakeBytes(h: Handshake): Uint8Array {
  return encodeHandshake(h);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` at the given (sorted, in-range) cut points. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(bytes.slice(start, cut));
    start = cut;
  }
  out.push(bytes.slice(start));
  return out;
}

export function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

export function copy(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

export function u32(value: number): number[] {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}
