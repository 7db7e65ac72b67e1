/** Small byte helpers shared across the engine (hashes, ids). */

const HEX_DIGITS = '0123456789abcdef';

/** Same length and same bytes. (Not constant-time: for hashes and ids, not secrets.) */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lowercase hex, e.g. of an info-hash. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 0x0f]!;
  return hex;
}
