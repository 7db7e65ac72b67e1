import { describe, expect, it } from 'vitest';
import { bdict, encode } from '../../src/bencode/index.js';
import {
  encodeExtendedHandshake,
  ipv4Bytes,
  MAX_PEER_REQQ,
  parseExtendedHandshake,
} from '../../src/extensions/extended-handshake.js';

describe('BEP 10 extended handshake', () => {
  it('round trips what we send', () => {
    const bytes = encodeExtendedHandshake({
      extensions: { ut_metadata: 3 },
      client: 'bitloom 0.1.0',
      reqq: 500,
      listenPort: 6881,
      yourIp: new Uint8Array([127, 0, 0, 1]),
    });
    const parsed = parseExtendedHandshake(bytes)!;
    expect(parsed.extensions.get('ut_metadata')).toBe(3);
    expect(parsed.client).toBe('bitloom 0.1.0');
    expect(parsed.reqq).toBe(500);
    expect(parsed.listenPort).toBe(6881);
    expect([...parsed.yourIp!]).toEqual([127, 0, 0, 1]);
  });

  it('reads a libtorrent-shaped handshake and ignores unknown keys', () => {
    const bytes = encode(
      bdict({
        m: bdict({ ut_metadata: 2, ut_pex: 1, lt_donthave: 7 }),
        metadata_size: 31235,
        reqq: 500,
        v: 'libtorrent/2.0.8',
        complete_ago: 1,
        upload_only: 1,
        zzz_unknown: bdict({ nested: 'x' }),
      }),
    );
    const parsed = parseExtendedHandshake(bytes)!;
    expect(parsed.extensions.get('ut_pex')).toBe(1);
    expect(parsed.metadataSize).toBe(31235);
    expect(parsed.uploadOnly).toBe(true);
    expect(parsed.client).toBe('libtorrent/2.0.8');
  });

  it('hostile: not a dictionary, not bencode, or oversized → ignored', () => {
    expect(parseExtendedHandshake(encode(42))).toBeUndefined();
    expect(parseExtendedHandshake(new TextEncoder().encode('d1:m'))).toBeUndefined();
    expect(parseExtendedHandshake(new Uint8Array(70_000))).toBeUndefined();
  });

  it('hostile: absurd reqq is clamped, wrong types and bad ids are dropped', () => {
    const parsed = parseExtendedHandshake(
      encode(
        bdict({ reqq: 1_000_000_000, p: 70000, m: bdict({ a: -1, b: 999, c: 'x', ok: 4 }), yourip: 'abc' }),
      ),
    )!;
    expect(parsed.reqq).toBe(MAX_PEER_REQQ);
    expect(parsed.listenPort).toBeUndefined();
    expect([...parsed.extensions]).toEqual([['ok', 4]]);
    expect(parsed.yourIp).toBeUndefined();
    expect(parseExtendedHandshake(encode(bdict({ reqq: 0 })))!.reqq).toBeUndefined();
  });

  it('ipv4Bytes accepts dotted quads only', () => {
    expect([...ipv4Bytes('10.1.2.3')!]).toEqual([10, 1, 2, 3]);
    expect(ipv4Bytes('::1')).toBeUndefined();
    expect(ipv4Bytes('1.2.3.256')).toBeUndefined();
  });
});
