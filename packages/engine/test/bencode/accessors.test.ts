import { describe, expect, it } from 'vitest';
import {
  type BencodeValue,
  bdict,
  binaryStringToBytes,
  bytesToBinaryString,
  decode,
  dictGet,
  encode,
  getBytes,
  getDict,
  getInt,
  getList,
  getUtf8,
  isBytes,
  isDict,
  isList,
  utf8Decode,
  utf8Encode,
} from '../../src/bencode/index.js';
import { b } from './helpers.js';

const sample = bdict({
  name: 'café',
  length: 42,
  big: 2n ** 60n,
  files: [1, 2],
  info: bdict({ x: 1 }),
  raw: new Uint8Array([0xff, 0xfe]),
});

describe('typed accessors', () => {
  it('return the value when the type matches', () => {
    expect(getUtf8(sample, 'name')).toBe('café');
    expect(getInt(sample, 'length')).toBe(42);
    expect(getList(sample, 'files')).toEqual([1, 2]);
    expect(getInt(getDict(sample, 'info')!, 'x')).toBe(1);
    expect([...getBytes(sample, 'raw')!]).toEqual([0xff, 0xfe]);
    expect(dictGet(sample, 'big')).toBe(2n ** 60n);
  });

  it('return undefined on a missing key or the wrong type', () => {
    expect(getInt(sample, 'missing')).toBeUndefined();
    expect(getInt(sample, 'name')).toBeUndefined();
    expect(getInt(sample, 'big')).toBeUndefined();
    expect(getBytes(sample, 'length')).toBeUndefined();
    expect(getUtf8(sample, 'files')).toBeUndefined();
    expect(getList(sample, 'info')).toBeUndefined();
    expect(getDict(sample, 'files')).toBeUndefined();
    expect(dictGet(sample, '__proto__')).toBeUndefined();
    expect(dictGet(sample, 'toString')).toBeUndefined();
  });

  it('type guards tell the four kinds apart', () => {
    const values: BencodeValue[] = [1, 2n, new Uint8Array(), [], new Map()];
    expect(values.map((v) => [isBytes(v), isList(v), isDict(v)])).toEqual([
      [false, false, false],
      [false, false, false],
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('getUtf8 replaces invalid UTF-8 instead of throwing', () => {
    expect(getUtf8(sample, 'raw')).toBe('\ufffd\ufffd');
  });
});

describe('bdict and string conversions', () => {
  it('bdict UTF-8 encodes string values and keys (keys become binary strings)', () => {
    const dict = bdict({ é: 'ü', a: 1 });
    expect([...dict.keys()]).toEqual(['\xc3\xa9', 'a']);
    expect(encode(dict)).toEqual(b('d1:ai1e2:\xc3\xa92:\xc3\xbce'));
    expect(decode(encode(dict))).toEqual(dict);
  });

  it('bdict keeps __proto__ as an ordinary key', () => {
    const dict = bdict(JSON.parse('{"__proto__": 1}'));
    expect(dict.get('__proto__')).toBe(1);
  });

  it('binary strings round-trip every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const binary = bytesToBinaryString(all);
    expect(binary.length).toBe(256);
    expect(binaryStringToBytes(binary)).toEqual(all);
    const large = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    expect(binaryStringToBytes(bytesToBinaryString(large))).toEqual(large);
  });

  it('utf8Encode / utf8Decode round-trip text', () => {
    expect(utf8Decode(utf8Encode('añ 日本 🎉'))).toBe('añ 日本 🎉');
  });
});
