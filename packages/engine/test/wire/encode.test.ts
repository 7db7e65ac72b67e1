import { describe, expect, it } from 'vitest';
import {
  type EncodableMessage,
  encodeMessage,
  encodePieceHeader,
  encodeRequests,
  MessageId,
  PIECE_HEADER_LENGTH,
  WireError,
} from '../../src/wire/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('encodeMessage (BEP 3 / BEP 6 / BEP 10 layouts)', () => {
  const vectors: [string, EncodableMessage, Uint8Array][] = [
    ['keep-alive', { type: 'keep-alive' }, bytes(0, 0, 0, 0)],
    ['choke', { type: 'choke' }, bytes(0, 0, 0, 1, 0)],
    ['unchoke', { type: 'unchoke' }, bytes(0, 0, 0, 1, 1)],
    ['interested', { type: 'interested' }, bytes(0, 0, 0, 1, 2)],
    ['not-interested', { type: 'not-interested' }, bytes(0, 0, 0, 1, 3)],
    ['have', { type: 'have', piece: 0x01020304 }, bytes(0, 0, 0, 5, 4, 1, 2, 3, 4)],
    ['bitfield', { type: 'bitfield', bytes: bytes(0xff, 0x80) }, bytes(0, 0, 0, 3, 5, 0xff, 0x80)],
    [
      'request',
      { type: 'request', piece: 1, begin: 0x4000, length: 0x4000 },
      bytes(0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 0),
    ],
    [
      'cancel',
      { type: 'cancel', piece: 0xffffffff, begin: 0, length: 1 },
      bytes(0, 0, 0, 13, 8, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1),
    ],
    ['port', { type: 'port', port: 6881 }, bytes(0, 0, 0, 3, 9, 0x1a, 0xe1)],
    ['suggest-piece', { type: 'suggest-piece', piece: 9 }, bytes(0, 0, 0, 5, 0x0d, 0, 0, 0, 9)],
    ['have-all', { type: 'have-all' }, bytes(0, 0, 0, 1, 0x0e)],
    ['have-none', { type: 'have-none' }, bytes(0, 0, 0, 1, 0x0f)],
    [
      'reject-request',
      { type: 'reject-request', piece: 2, begin: 3, length: 4 },
      bytes(0, 0, 0, 13, 0x10, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4),
    ],
    ['allowed-fast', { type: 'allowed-fast', piece: 256 }, bytes(0, 0, 0, 5, 0x11, 0, 0, 1, 0)],
    [
      'extended',
      { type: 'extended', extendedId: 0, payload: bytes(0x64, 0x65) },
      bytes(0, 0, 0, 4, 20, 0, 0x64, 0x65),
    ],
    [
      'extended, empty payload',
      { type: 'extended', extendedId: 3, payload: bytes() },
      bytes(0, 0, 0, 2, 20, 3),
    ],
  ];

  it.each(vectors)('%s', (_name, message, expected) => {
    expect(encodeMessage(message)).toEqual(expected);
  });

  it('returns a fresh buffer each call, so a sender may hand it to a socket', () => {
    const a = encodeMessage({ type: 'choke' });
    const b = encodeMessage({ type: 'choke' });
    expect(a).not.toBe(b);
  });

  it.each<[string, EncodableMessage]>([
    ['a negative piece', { type: 'have', piece: -1 }],
    ['a piece above 2^32-1', { type: 'have', piece: 2 ** 32 }],
    ['a fractional begin', { type: 'request', piece: 0, begin: 1.5, length: 1 }],
    ['a NaN length', { type: 'cancel', piece: 0, begin: 0, length: Number.NaN }],
    ['a port above 65535', { type: 'port', port: 65536 }],
    ['an extended id above 255', { type: 'extended', extendedId: 256, payload: bytes() }],
  ])('throws WIRE_BAD_ARGUMENT for %s (a caller bug)', (_name, message) => {
    expect(() => encodeMessage(message)).toThrow(expect.objectContaining({ code: 'WIRE_BAD_ARGUMENT' }));
  });

  it('throws for a message type it cannot encode (piece/unknown smuggled past the types)', () => {
    const piece = { type: 'piece', piece: 0, begin: 0 } as unknown as EncodableMessage;
    expect(() => encodeMessage(piece)).toThrow(WireError);
  });
});

describe('encodePieceHeader', () => {
  it('writes the 13-byte header: length 9 + block, id 7, piece, begin', () => {
    const header = encodePieceHeader(5, 0x8000, 0x4000);
    expect(header.length).toBe(PIECE_HEADER_LENGTH);
    expect(header).toEqual(bytes(0, 0, 0x40, 9, MessageId.piece, 0, 0, 0, 5, 0, 0, 0x80, 0));
  });

  it('accepts an empty block', () => {
    expect(encodePieceHeader(0, 0, 0)).toEqual(bytes(0, 0, 0, 9, 7, 0, 0, 0, 0, 0, 0, 0, 0));
  });

  it('refuses a block length whose message would overflow the 32-bit prefix', () => {
    expect(() => encodePieceHeader(0, 0, 0xffffffff - 8)).toThrow(
      expect.objectContaining({ code: 'WIRE_BAD_ARGUMENT' }),
    );
    expect(encodePieceHeader(0, 0, 0xffffffff - 9).subarray(0, 4)).toEqual(bytes(0xff, 0xff, 0xff, 0xff));
  });
});

describe('encodeRequests', () => {
  it('is the REQUEST messages back to back, byte for byte as encodeMessage makes each', () => {
    const requests = [
      { piece: 0, begin: 0, length: 0x4000 },
      { piece: 7, begin: 0x4000, length: 0x4000 },
      { piece: 0xffffffff, begin: 0x3fc000, length: 1 },
    ];
    const expected = requests.flatMap((r) => [...encodeMessage({ type: 'request', ...r })]);
    expect([...encodeRequests(requests)]).toEqual(expected);
    expect(encodeRequests([])).toEqual(new Uint8Array(0));
  });

  it('throws WIRE_BAD_ARGUMENT for a field that does not fit 32 bits', () => {
    for (const bad of [
      { piece: -1, begin: 0, length: 1 },
      { piece: 0, begin: 2 ** 32, length: 1 },
      { piece: 0, begin: 0, length: 0.5 },
    ]) {
      expect(() => encodeRequests([{ piece: 1, begin: 0, length: 1 }, bad])).toThrow(WireError);
    }
  });
});
