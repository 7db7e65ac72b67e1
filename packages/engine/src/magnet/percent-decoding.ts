/**
 * Percent-decoding of magnet link query values (RFC 3986, as BEP 9 links use it). Escapes are decoded as UTF-8
 * bytes; a malformed escape is an error rather than being passed through, so a link means one thing.
 */
import { MagnetError } from './magnet-error.js';

const CHAR_PERCENT = 0x25;
const CHAR_PLUS = 0x2b;
const CHAR_SPACE = 0x20;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes `%XX` escapes (and, when `plusIsSpace`, `+` as a space, as form-encoded display names use it).
 * Invalid UTF-8 after decoding becomes U+FFFD. Throws MAGNET_INVALID_ESCAPE naming the parameter.
 */
export function percentDecode(value: string, parameter: string, plusIsSpace: boolean): string {
  if (!value.includes('%') && !(plusIsSpace && value.includes('+'))) return value;
  // Work on UTF-8 bytes so raw non-ASCII text and escaped bytes mix correctly.
  const input = utf8Encoder.encode(value);
  const output = new Uint8Array(input.length);
  let written = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === CHAR_PERCENT) {
      const high = i + 1 < input.length ? hexValue(input[i + 1]!) : -1;
      const low = i + 2 < input.length ? hexValue(input[i + 2]!) : -1;
      if (high < 0 || low < 0) {
        throw new MagnetError('MAGNET_INVALID_ESCAPE', `bad percent escape in the '${parameter}' parameter`);
      }
      output[written++] = (high << 4) | low;
      i += 2;
    } else {
      output[written++] = plusIsSpace && byte === CHAR_PLUS ? CHAR_SPACE : byte;
    }
  }
  return utf8Decoder.decode(output.subarray(0, written));
}
