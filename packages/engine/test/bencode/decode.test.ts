import { describe, expect, it } from 'vitest';
import {
  type BencodeDict,
  type BencodeValue,
  decode,
  decodePrefix,
  encode,
  utf8Encode,
} from '../../src/bencode/index.js';
import { b, bencodeErrorOf, toPlain } from './helpers.js';

describe('decode: valid input', () => {
  it('decodes integers, including zero and negatives', () => {
    expect(decode(b('i0e'))).toBe(0);
    expect(decode(b('i42e'))).toBe(42);
    expect(decode(b('i-42e'))).toBe(-42);
  });

  it('returns numbers up to ±(2^53 − 1) and exact bigints beyond, within signed 64-bit', () => {
    expect(decode(b('i9007199254740991e'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decode(b('i-9007199254740991e'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(decode(b('i9007199254740992e'))).toBe(9007199254740992n);
    expect(decode(b('i-9007199254740992e'))).toBe(-9007199254740992n);
    expect(decode(b('i9223372036854775807e'))).toBe(9223372036854775807n);
    expect(decode(b('i-9223372036854775808e'))).toBe(-9223372036854775808n);
    expect(decode(b('i1000000000000000e'))).toBe(1e15);
  });

  it('decodes byte strings as zero-copy views of the input', () => {
    const input = b('l3:abc0:e');
    const list = decode(input) as Uint8Array[];
    expect(list.map((s) => [...s])).toEqual([[0x61, 0x62, 0x63], []]);
    expect(list[0]!.buffer).toBe(input.buffer);
    expect(list[0]!.byteOffset).toBe(input.byteOffset + 3);
  });

  it('decodes lists and dicts with binary-string keys', () => {
    const value = decode(b('d3:bar4:spam3:fooi42e1:\xffle4:listli1ei2eee')) as BencodeDict;
    expect([...value.keys()]).toEqual(['bar', 'foo', '\xff', 'list']);
    expect(value.get('foo')).toBe(42);
    expect(value.get('\xff')).toEqual([]);
    expect(value.get('list')).toEqual([1, 2]);
  });

  it('keeps a UTF-8 key as its bytes, one char per byte', () => {
    const key = utf8Encode('é');
    const input = new Uint8Array([0x64, 0x32, 0x3a, ...key, 0x69, 0x31, 0x65, 0x65]);
    const dict = decode(input) as BencodeDict;
    expect([...dict.keys()]).toEqual(['\xc3\xa9']);
  });

  it('returns the right key for every one of many same-length keys (key interning collides safely)', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const input = b(`d${keys.map((k) => `5:${k}i1e`).join('')}e`);
    for (let round = 0; round < 2; round++) {
      expect([...(decode(input, { strict: true }) as BencodeDict).keys()]).toEqual(keys);
    }
  });

  it('accepts unsorted keys in lenient mode only', () => {
    const input = b('d1:bi1e1:ai2ee');
    expect(toPlain(decode(input))).toEqual({
      dict: [
        ['a', 'int:2'],
        ['b', 'int:1'],
      ],
    });
    expect(bencodeErrorOf(() => decode(input, { strict: true })).code).toBe('BENCODE_UNSORTED_KEYS');
  });

  it('orders keys by raw bytes in strict mode (prefix first, uppercase before lowercase, 0xff last)', () => {
    expect(() => decode(b('d1:Zi1e1:ai1e2:abi1e1:\xffi1ee'), { strict: true })).not.toThrow();
    expect(bencodeErrorOf(() => decode(b('d2:abi1e1:ai1ee'), { strict: true })).code).toBe(
      'BENCODE_UNSORTED_KEYS',
    );
  });

  it('accepts a leading zero in a string length only in lenient mode', () => {
    expect([...(decode(b('03:abc')) as Uint8Array)]).toEqual([0x61, 0x62, 0x63]);
    expect(bencodeErrorOf(() => decode(b('03:abc'), { strict: true })).code).toBe('BENCODE_INVALID_LENGTH');
    expect(decode(b('0:'), { strict: true })).toEqual(new Uint8Array());
  });

  it('decodePrefix returns the value and where it ended (ut_metadata: dict, then raw piece bytes)', () => {
    const input = b('d8:msg_typei1e5:piecei0eeRAWBYTES');
    const { value, end } = decodePrefix(input, { strict: true });
    expect(end).toBe(input.length - 'RAWBYTES'.length);
    expect(toPlain(value)).toEqual({
      dict: [
        ['msg_type', 'int:1'],
        ['piece', 'int:0'],
      ],
    });
  });
});

describe('encode', () => {
  it('writes canonical bencode with keys sorted by raw bytes', () => {
    const dict: BencodeDict = new Map<string, BencodeValue>([
      ['\xff', 1],
      ['b', new Uint8Array([0x78])],
      ['a', [1, -2, 2n ** 60n]],
      ['ab', new Map()],
    ]);
    expect(encode(dict)).toEqual(b('d1:ali1ei-2ei1152921504606846976ee2:abde1:b1:x1:\xffi1ee'));
  });

  it('refuses values bencode cannot represent', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 2n ** 63n, -(2n ** 63n) - 1n]) {
      expect(bencodeErrorOf(() => encode(bad)).code).toBe('BENCODE_UNENCODABLE');
    }
    expect(bencodeErrorOf(() => encode(new Map([['ключ', 1]]))).code).toBe('BENCODE_UNENCODABLE');
    expect(bencodeErrorOf(() => encode('text' as never)).code).toBe('BENCODE_UNENCODABLE');
    expect(bencodeErrorOf(() => encode(null as never)).code).toBe('BENCODE_UNENCODABLE');
  });

  it('encodes -0 as i0e', () => {
    expect(encode(-0)).toEqual(b('i0e'));
  });

  it('encodes 1000 nested lists and refuses deeper nesting cleanly', () => {
    const nest = (depth: number) => {
      let value: unknown[] = [];
      for (let i = 1; i < depth; i++) value = [value];
      return value as never;
    };
    expect(encode(nest(1000)).length).toBe(2000);
    expect(bencodeErrorOf(() => encode(nest(1001))).code).toBe('BENCODE_UNENCODABLE');
  });
});
