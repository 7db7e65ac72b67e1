import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bencode/binary-string.js';
import { encode } from '../../src/bencode/encoder.js';
import {
  decodeKrpc,
  encodeError,
  encodeQuery,
  encodeResponse,
  KRPC_METHOD_UNKNOWN,
  krpcDict,
} from '../../src/dht/krpc-codec.js';

const limits = { maxMessageBytes: 8192, maxItems: 1024 };
const t = utf8Encode('aa');
const id = new Uint8Array(20).fill(1);

describe('KRPC codec (BEP 5)', () => {
  it('round-trips a query, a response and an error', () => {
    const query = decodeKrpc(encodeQuery(t, 'find_node', krpcDict({ id, target: id })), limits);
    expect(query).toMatchObject({ kind: 'query', method: 'find_node', readOnly: false });
    if (query.kind !== 'query') throw new Error('not a query');
    expect(query.args.get('target')).toEqual(id);
    expect(query.transactionId).toEqual(t);

    const response = decodeKrpc(encodeResponse(t, krpcDict({ id })), limits);
    expect(response.kind).toBe('response');

    const error = decodeKrpc(encodeError(t, KRPC_METHOD_UNKNOWN, 'Method Unknown'), limits);
    expect(error).toMatchObject({ kind: 'error', code: 204, message: 'Method Unknown' });
  });

  it('reads the BEP 5 example query byte for byte', () => {
    const example = utf8Encode('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe');
    expect(decodeKrpc(example, limits)).toMatchObject({ kind: 'query', method: 'ping' });
    expect(encodeQuery(t, 'ping', krpcDict({ id: utf8Encode('abcdefghij0123456789') }))).toEqual(example);
  });

  it('marks BEP 43 read-only queries', () => {
    const bytes = encode(
      krpcDict({ t, y: utf8Encode('q'), q: utf8Encode('ping'), a: krpcDict({ id }), ro: 1 }),
    );
    expect(decodeKrpc(bytes, limits)).toMatchObject({ kind: 'query', readOnly: true });
  });

  it.each([
    ['not bencode', utf8Encode('hello')],
    ['a list, not a dictionary', utf8Encode('li1ee')],
    ['no transaction id', encode(krpcDict({ y: utf8Encode('q') }))],
    ['an integer transaction id', encode(krpcDict({ t: 5, y: utf8Encode('r'), r: krpcDict({}) }))],
    ['an unknown type', encode(krpcDict({ t, y: utf8Encode('x') }))],
    ['a query without arguments', encode(krpcDict({ t, y: utf8Encode('q'), q: utf8Encode('ping') }))],
    ['a response without values', encode(krpcDict({ t, y: utf8Encode('r') }))],
  ])('malformed message: %s', (_, bytes) => {
    expect(decodeKrpc(bytes, limits).kind).toBe('malformed');
  });

  it('keeps the transaction id of a malformed query, so it can be answered with 203', () => {
    const bytes = encode(krpcDict({ t, y: utf8Encode('q'), q: utf8Encode('ping') }));
    expect(decodeKrpc(bytes, limits)).toMatchObject({ kind: 'malformed', wasQuery: true, transactionId: t });
  });

  it('hostile: a datagram over the size limit is refused before decoding', () => {
    const huge = encodeResponse(t, krpcDict({ id, nodes: new Uint8Array(20_000) }));
    expect(decodeKrpc(huge, limits)).toMatchObject({ kind: 'malformed', reason: 'message too large' });
  });

  it('hostile: a values list of 5000 items exceeds the item limit', () => {
    const values = Array.from({ length: 5000 }, () => new Uint8Array(0));
    const bytes = encodeResponse(t, krpcDict({ id, values }));
    expect(decodeKrpc(bytes, { maxMessageBytes: 65_536, maxItems: 1024 }).kind).toBe('malformed');
  });

  it('hostile: an error with a huge message keeps only its first 256 bytes', () => {
    const bytes = encode(krpcDict({ t, y: utf8Encode('e'), e: [201, new Uint8Array(4000).fill(0x41)] }));
    const message = decodeKrpc(bytes, limits);
    expect(message.kind === 'error' && message.message.length).toBe(256);
  });

  it('garbage never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(['query', 'response', 'error', 'malformed']).toContain(decodeKrpc(bytes, limits).kind);
      }),
    );
  });
});
