/** A misbehaving or hostile peer: every attack is refused through onError as early as the bytes allow. */
import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageId } from '../../src/wire/index.js';
import { concat, encodeAny, filled, handshakeBytes, messageEvents, record, u32 } from './helpers.js';

describe('oversized length prefix', () => {
  it('refuses a 0xFFFFFFFF length as soon as its 4 bytes arrive, without waiting for a body', () => {
    const { framer, events } = record({ maxMessageLength: 1 << 20 });
    framer.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 0 }]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('refuses it on the 4th byte when the prefix arrives one byte at a time', () => {
    const { framer, events } = record();
    for (let i = 0; i < 3; i++) {
      framer.push(Uint8Array.of(0xff));
      expect(events).toEqual([]);
    }
    framer.push(Uint8Array.of(0xff));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 0 }]);
  });

  it('accepts exactly maxMessageLength and refuses one more', () => {
    const ok = encodeMessage({ type: 'bitfield', bytes: new Uint8Array(99) }); // length 100
    const tooLong = encodeMessage({ type: 'bitfield', bytes: new Uint8Array(100) });
    const accepted = record({ maxMessageLength: 100 });
    accepted.framer.push(ok);
    expect(accepted.events).toEqual(messageEvents([{ type: 'bitfield', bytes: new Uint8Array(99) }]));
    const refused = record({ maxMessageLength: 100 });
    refused.framer.push(tooLong.subarray(0, 4));
    expect(refused.events).toEqual([{ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 0 }]);
  });

  it('bounds unknown ids too: a huge unknown message is refused, not skipped', () => {
    const { framer, events } = record({ maxMessageLength: 1000 });
    framer.push(Uint8Array.from([...u32(1001), 0x77]));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 0 }]);
  });

  it('reports the stream offset of the offending message, after a handshake and earlier messages', () => {
    const { framer, events, errors } = record({ expectHandshake: true, maxMessageLength: 100 });
    const handshake = { reserved: new Uint8Array(8), infoHash: filled(20, 1), peerId: filled(20, 2) };
    framer.push(
      concat([handshakeBytes(handshake), encodeMessage({ type: 'choke' }), Uint8Array.from(u32(101))]),
    );
    expect(events.at(-1)).toEqual({ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 68 + 5 });
    expect(errors[0]?.name).toBe('WireError');
  });
});

describe('wrong sizes for fixed-size messages (WIRE_BAD_MESSAGE_LENGTH)', () => {
  const cases: [string, number, number[]][] = [
    ['choke', MessageId.choke, [2, 5]],
    ['unchoke', MessageId.unchoke, [2]],
    ['interested', MessageId.interested, [3]],
    ['not-interested', MessageId.notInterested, [13]],
    ['have-all', MessageId.haveAll, [2]],
    ['have-none', MessageId.haveNone, [5]],
    ['have', MessageId.have, [1, 4, 6, 0x8000]],
    ['suggest-piece', MessageId.suggestPiece, [4, 9]],
    ['allowed-fast', MessageId.allowedFast, [1, 6]],
    ['request', MessageId.request, [1, 12, 14, 17]],
    ['cancel', MessageId.cancel, [5, 12]],
    ['reject-request', MessageId.rejectRequest, [14]],
    ['port', MessageId.port, [1, 2, 4]],
    ['piece', MessageId.piece, [1, 5, 8]],
    ['extended', MessageId.extended, [1]],
  ];

  for (const [name, id, lengths] of cases) {
    for (const length of lengths) {
      it(`${name} (id ${id}) with length ${length} is refused as soon as its id byte arrives`, () => {
        const { framer, events } = record({ maxMessageLength: 1 << 20 });
        framer.push(Uint8Array.from([...u32(length), id]));
        expect(events).toEqual([{ kind: 'error', code: 'WIRE_BAD_MESSAGE_LENGTH', offset: 0 }]);
      });
    }
  }

  it('accepts the smallest legal variable-size messages: piece 9, bitfield 1, extended 2', () => {
    const { framer, events } = record();
    framer.push(Uint8Array.from([...u32(9), 7, 0, 0, 0, 1, 0, 0, 0, 2, ...u32(1), 5, ...u32(2), 20, 6]));
    expect(events).toEqual(
      messageEvents([
        { type: 'piece', piece: 1, begin: 2, block: new Uint8Array(0) },
        { type: 'bitfield', bytes: new Uint8Array(0) },
        { type: 'extended', extendedId: 6, payload: new Uint8Array(0) },
      ]),
    );
  });
});

describe('bad handshake (WIRE_BAD_PROTOCOL)', () => {
  const good = handshakeBytes({
    reserved: new Uint8Array(8),
    infoHash: filled(20, 1),
    peerId: filled(20, 2),
  });

  it('refuses a protocol length byte other than 19 at the first byte', () => {
    const { framer, events } = record({ expectHandshake: true });
    framer.push(Uint8Array.of(18));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_BAD_PROTOCOL', offset: 0 }]);
  });

  it('refuses an HTTP request sent to the peer port at once', () => {
    const { framer, events } = record({ expectHandshake: true });
    framer.push(new TextEncoder().encode('GET /announce HTTP/1.1\r\n'));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_BAD_PROTOCOL', offset: 0 }]);
  });

  it('refuses a wrong protocol name at the first wrong byte, before the rest of the handshake', () => {
    const bad = good.slice(0, 20);
    bad[19] = 'X'.charCodeAt(0); // "BitTorrent protocoX"
    const { framer, events } = record({ expectHandshake: true });
    framer.push(bad.subarray(0, 19));
    expect(events).toEqual([]);
    framer.push(bad.subarray(19));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_BAD_PROTOCOL', offset: 0 }]);
  });

  it('refuses a lower-case protocol name', () => {
    const bad = good.slice();
    bad[1] = 'b'.charCodeAt(0);
    const { framer, events } = record({ expectHandshake: true });
    framer.push(bad);
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_BAD_PROTOCOL', offset: 0 }]);
  });
});

describe('after an error', () => {
  it('ignores further input and reports nothing more', () => {
    const { framer, events } = record({ maxMessageLength: 10 });
    framer.push(concat([Uint8Array.from(u32(11)), encodeMessage({ type: 'choke' })]));
    framer.push(encodeMessage({ type: 'unchoke' }));
    framer.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(events).toEqual([{ kind: 'error', code: 'WIRE_MESSAGE_TOO_LONG', offset: 0 }]);
    expect(framer.stopped).toBe(true);
    expect(framer.bufferedBytes).toBe(0);
  });
});

describe('slowloris: a message dribbled in tiny chunks', () => {
  it('still frames a long message sent one byte per chunk, and the message after it in the last chunk', () => {
    const payload = filled(5000, 7);
    const stream = encodeMessage({ type: 'extended', extendedId: 1, payload });
    const { framer, events } = record();
    for (let i = 0; i < stream.length - 1; i++) framer.push(stream.subarray(i, i + 1));
    expect(events).toEqual([]);
    expect(framer.bufferedBytes).toBe(stream.length - 1 - 4);
    framer.push(concat([stream.subarray(stream.length - 1), encodeMessage({ type: 'interested' })]));
    expect(events).toEqual(
      messageEvents([{ type: 'extended', extendedId: 1, payload }, { type: 'interested' }]),
    );
    expect(framer.bufferedBytes).toBe(0);
  });

  it('frames a dribbled PIECE whose block ends up gathered, and copies it correctly', () => {
    const block = filled(3000, 8);
    const stream = concat([
      encodeAny({ type: 'piece', piece: 1, begin: 0, block }),
      encodeAny({ type: 'piece', piece: 2, begin: 0, block }),
    ]);
    const { framer, events } = record();
    for (let i = 0; i < stream.length; i += 7) framer.push(stream.subarray(i, i + 7));
    expect(events).toEqual(
      messageEvents([
        { type: 'piece', piece: 1, begin: 0, block },
        { type: 'piece', piece: 2, begin: 0, block },
      ]),
    );
  });
});
