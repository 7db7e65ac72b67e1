/**
 * Conversions between bytes and the two kinds of JS strings bencode code meets: "binary strings" (one char per
 * byte, lossless, used for dictionary keys) and UTF-8 text (names, paths, messages).
 */

/** `String.fromCharCode.apply` takes its arguments on the stack; stay well below engine limits. */
const CHARS_PER_CALL = 8192;

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Bytes [start, end) of `bytes` as a binary string (char code = byte value). */
export function binaryStringFromRange(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= CHARS_PER_CALL) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  const chunks: string[] = [];
  for (let chunkStart = start; chunkStart < end; chunkStart += CHARS_PER_CALL) {
    const chunkEnd = Math.min(end, chunkStart + CHARS_PER_CALL);
    chunks.push(String.fromCharCode.apply(null, bytes.subarray(chunkStart, chunkEnd) as unknown as number[]));
  }
  return chunks.join('');
}

/** Bytes as a binary string: one char per byte, so any byte sequence round-trips. */
export function bytesToBinaryString(bytes: Uint8Array): string {
  return binaryStringFromRange(bytes, 0, bytes.length);
}

/** The inverse of {@link bytesToBinaryString}. Chars above U+00FF are not binary; they are truncated to 8 bits. */
export function binaryStringToBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** True when every char of `s` is a byte (U+0000 … U+00FF), i.e. `s` is a valid binary string. */
export function isBinaryString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** UTF-8 bytes to text; invalid sequences become U+FFFD (never throws). */
export function utf8Decode(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Text to UTF-8 bytes. */
export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
