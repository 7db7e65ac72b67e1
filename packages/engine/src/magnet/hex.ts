/**
 * Hex and base32 (RFC 4648) conversions for info-hashes: magnet links write the v1 info-hash as 40 hex or
 * 32 base32 chars (BEP 9), and the v2 multihash as hex.
 */
import { toHex } from '../bytes.js';
import { MagnetError } from './magnet-error.js';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The value of a hex digit char code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The value of a base32 digit char code (A–Z either case, 2–7), or -1. */
function base32Value(code: number): number {
  const upper = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
  if (upper >= 0x41 && upper <= 0x5a) return upper - 0x41;
  if (upper >= 0x32 && upper <= 0x37) return upper - 0x32 + 26;
  return -1;
}

/** Lowercase hex of any bytes (e.g. an info-hash). */
export function infoHashToHex(hash: Uint8Array): string {
  return toHex(hash);
}

/** Bytes from hex (either case). Throws MAGNET_INVALID_HEX on an odd length or a non-hex char. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new MagnetError('MAGNET_INVALID_HEX', `hex of odd length ${hex.length}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = hexValue(hex.charCodeAt(2 * i));
    const low = hexValue(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) {
      throw new MagnetError(
        'MAGNET_INVALID_HEX',
        `not a hex digit at position ${high < 0 ? 2 * i : 2 * i + 1}`,
      );
    }
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/**
 * Bytes from unpadded base32 (RFC 4648 alphabet, either case), or undefined when a char is outside the alphabet
 * or the leftover bits are not zero (so every accepted string has exactly one meaning).
 */
export function base32ToBytes(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (let i = 0; i < text.length; i++) {
    const value = base32Value(text.charCodeAt(i));
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}

/** Unpadded uppercase base32 (RFC 4648) of bytes. */
export function bytesToBase32(bytes: Uint8Array): string {
  const chars: string[] = [];
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars.push(BASE32_ALPHABET[(buffer >> bits) & 0x1f]!);
    }
  }
  if (bits > 0) chars.push(BASE32_ALPHABET[(buffer << (5 - bits)) & 0x1f]!);
  return chars.join('');
}
