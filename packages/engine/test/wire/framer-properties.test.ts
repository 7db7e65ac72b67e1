/** Property tests (fast-check): round trips under arbitrary splits, and garbage that never escapes push(). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageFramer } from '../../src/wire/index.js';
import {
  concat,
  encodeAny,
  handshakeBytes,
  messageEvents,
  type RecordedMessage,
  record,
  splitAt,
} from './helpers.js';

const uint32 = fc.nat({ max: 0xffffffff });
const smallBytes = fc.uint8Array({ maxLength: 40 });

const messageArbitrary: fc.Arbitrary<RecordedMessage> = fc.oneof(
  fc.constantFrom<RecordedMessage>(
    { type: 'keep-alive' },
    { type: 'choke' },
    { type: 'unchoke' },
    { type: 'interested' },
    { type: 'not-interested' },
    { type: 'have-all' },
    { type: 'have-none' },
  ),
  uint32.map((piece): RecordedMessage => ({ type: 'have', piece })),
  uint32.map((piece): RecordedMessage => ({ type: 'suggest-piece', piece })),
  uint32.map((piece): RecordedMessage => ({ type: 'allowed-fast', piece })),
  smallBytes.map((bytes): RecordedMessage => ({ type: 'bitfield', bytes })),
  fc
    .tuple(fc.constantFrom('request', 'cancel', 'reject-request' as const), uint32, uint32, uint32)
    .map(([type, piece, begin, length]): RecordedMessage => ({ type, piece, begin, length })),
  fc
    .tuple(uint32, uint32, fc.uint8Array({ maxLength: 300 }))
    .map(([piece, begin, block]): RecordedMessage => ({ type: 'piece', piece, begin, block })),
  fc.nat({ max: 0xffff }).map((port): RecordedMessage => ({ type: 'port', port })),
  fc
    .tuple(fc.nat({ max: 255 }), smallBytes)
    .map(([extendedId, payload]): RecordedMessage => ({ type: 'extended', extendedId, payload })),
);

/** Sorted cut points inside a stream of `length` bytes. */
const cutsFor = (length: number) =>
  fc.uniqueArray(fc.nat({ max: length }), { maxLength: 30 }).map((cuts) => cuts.sort((a, b) => a - b));

describe('framer properties', () => {
  it('any message sequence, split anywhere, comes back unchanged', () => {
    const streams = fc.array(messageArbitrary, { maxLength: 25 }).chain((messages) => {
      const stream = concat(messages.map(encodeAny));
      return fc.tuple(fc.constant(messages), fc.constant(stream), cutsFor(stream.length));
    });
    fc.assert(
      fc.property(streams, ([messages, stream, cuts]) => {
        const { framer, events } = record();
        for (const chunk of splitAt(stream, cuts)) framer.push(chunk);
        expect(events).toEqual(messageEvents(messages));
        expect(framer.bufferedBytes).toBe(0);
      }),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it('arbitrary bytes never throw out of push(); at most one error, then silence', () => {
    const inputs = fc.record({
      bytes: fc.uint8Array({ maxLength: 400 }),
      expectHandshake: fc.boolean(),
      maxMessageLength: fc.integer({ min: 0, max: 300 }),
      chunkSize: fc.integer({ min: 1, max: 64 }),
    });
    fc.assert(
      fc.property(inputs, ({ bytes, expectHandshake, maxMessageLength, chunkSize }) => {
        const calls: string[] = [];
        const framer = new MessageFramer({
          maxMessageLength,
          expectHandshake,
          onHandshake: () => calls.push('handshake'),
          onMessage: (m) => {
            if (m.type === 'piece') m.block.copyTo(new Uint8Array(m.block.length), 0);
            calls.push(m.type);
          },
          onError: (e) => calls.push(`error:${e.code}`),
        });
        for (let at = 0; at < bytes.length; at += chunkSize) framer.push(bytes.subarray(at, at + chunkSize));
        const errorIndex = calls.findIndex((c) => c.startsWith('error:'));
        if (errorIndex !== -1) {
          expect(errorIndex).toBe(calls.length - 1);
          expect(framer.stopped).toBe(true);
        }
        expect(framer.bufferedBytes).toBeLessThanOrEqual(Math.max(68, maxMessageLength + 4));
      }),
      { numRuns: 500, seed: 0xb17 },
    );
  });

  it('mutated valid streams (a handshake and messages with flipped bytes) never throw out of push()', () => {
    const inputs = fc.array(messageArbitrary, { minLength: 1, maxLength: 10 }).chain((messages) => {
      const stream = concat([
        handshakeBytes({
          reserved: new Uint8Array(8),
          infoHash: new Uint8Array(20),
          peerId: new Uint8Array(20),
        }),
        ...messages.map(encodeAny),
      ]);
      const mutation = fc.tuple(fc.nat({ max: stream.length - 1 }), fc.nat({ max: 255 }));
      return fc.tuple(
        fc.constant(stream),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        cutsFor(stream.length),
      );
    });
    fc.assert(
      fc.property(inputs, ([stream, mutations, cuts]) => {
        const mutated = stream.slice();
        for (const [at, value] of mutations) mutated[at] = value;
        const { framer, events } = record({ expectHandshake: true, maxMessageLength: 1000 });
        for (const chunk of splitAt(mutated, cuts)) framer.push(chunk);
        expect(events.filter((e) => e.kind === 'error').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300, seed: 0x100e },
    );
  });
});
