/** Bencode (BEP 3): the bounded decoder, the canonical encoder and typed accessors. */
export {
  bdict,
  dictGet,
  getBytes,
  getDict,
  getInt,
  getList,
  getUtf8,
  isBytes,
  isDict,
  isList,
} from './accessors.js';
export { BencodeError, type BencodeErrorCode } from './bencode-error.js';
export { binaryStringToBytes, bytesToBinaryString, utf8Decode, utf8Encode } from './binary-string.js';
export { type ByteSpan, type DecodedWithSpans, decode, decodePrefix, decodeWithSpans } from './decoder.js';
export { encode } from './encoder.js';
export {
  BENCODE_DEFAULT_MAX_DEPTH,
  BENCODE_DEFAULT_MAX_ITEMS,
  BENCODE_DEFAULT_MAX_LENGTH,
  type BencodeDict,
  type BencodeList,
  type BencodeValue,
  type DecodeOptions,
} from './types.js';
