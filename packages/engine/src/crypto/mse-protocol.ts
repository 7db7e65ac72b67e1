/**
 * The constants and derivations MSE/PE (Message Stream Encryption, the Azureus/libtorrent "protocol
 * encryption") shares between its two roles: the verification constant, the padding and IA limits, the
 * crypto_provide / crypto_select bits, the `req1` / `req2` / `req3` hashes, and the RC4 keys `keyA` / `keyB`.
 *
 *   1 A→B: Ya, PadA
 *   2 B→A: Yb, PadB
 *   3 A→B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *          ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 *   4 B→A: ENCRYPT(VC, crypto_select, len(PadD), PadD), ENCRYPT2(payload)
 *   5 A→B: ENCRYPT2(payload)
 *
 * SKEY is the torrent's info-hash. A encrypts with keyA and decrypts with keyB; B the other way round.
 */
import { MSE_RC4_DISCARD, Rc4 } from './rc4.js';
import { sha1 } from './sha1.js';

/** The verification constant: 8 zero bytes, sent encrypted so each side can check the other's key. */
export const MSE_VC_LENGTH = 8;
/** PadA, PadB, PadC and PadD are each at most 512 bytes. */
export const MSE_MAX_PAD = 512;
/** Bytes of a `HASH(…)` on the wire. */
export const MSE_HASH_LENGTH = 20;

/** crypto_provide / crypto_select bit: the payload stream stays plaintext after the handshake. */
export const MSE_METHOD_PLAINTEXT = 0x01;
/** crypto_provide / crypto_select bit: the payload stream is RC4-encrypted. */
export const MSE_METHOD_RC4 = 0x02;

/** What protects the payload stream after a handshake. `none` is a plain BitTorrent connection (no MSE). */
export type StreamEncryption = 'none' | 'plaintext' | 'rc4';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const REQ1 = ascii('req1');
const REQ2 = ascii('req2');
const REQ3 = ascii('req3');
const KEY_A = ascii('keyA');
const KEY_B = ascii('keyB');

/** HASH('req1', S): the responder finds the end of PadA by searching for it. */
export function req1Hash(secret: Uint8Array): Uint8Array {
  return sha1(REQ1, secret);
}

/** HASH('req2', SKEY): names the torrent without revealing its info-hash to an observer. */
export function req2Hash(skey: Uint8Array): Uint8Array {
  return sha1(REQ2, skey);
}

/** HASH('req3', S): masks `req2` on the wire. */
export function req3Hash(secret: Uint8Array): Uint8Array {
  return sha1(REQ3, secret);
}

/** a xor b, both the same length. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The two RC4 streams of one side of a connection. */
export interface MseCiphers {
  readonly encrypt: Rc4;
  readonly decrypt: Rc4;
}

/** RC4 streams for `role` from S and SKEY (keyA protects A→B, keyB protects B→A; 1024 bytes dropped). */
export function mseCiphers(
  role: 'initiator' | 'responder',
  secret: Uint8Array,
  skey: Uint8Array,
): MseCiphers {
  const keyA = new Rc4(sha1(KEY_A, secret, skey), MSE_RC4_DISCARD);
  const keyB = new Rc4(sha1(KEY_B, secret, skey), MSE_RC4_DISCARD);
  return role === 'initiator' ? { encrypt: keyA, decrypt: keyB } : { encrypt: keyB, decrypt: keyA };
}

/** Index of `pattern` in `data` starting at or before `lastStart`, or -1. */
export function findPattern(data: Uint8Array, pattern: Uint8Array, from: number, lastStart: number): number {
  const end = Math.min(lastStart, data.length - pattern.length);
  outer: for (let start = from; start <= end; start++) {
    for (let k = 0; k < pattern.length; k++) if (data[start + k] !== pattern[k]) continue outer;
    return start;
  }
  return -1;
}

/**
 * `buffer` followed by `chunk`, always in a new array: received chunks are only borrowed (the platform may reuse
 * them), and handshake buffers are small and bounded.
 */
export function appendBytes(buffer: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (buffer.length === 0) return chunk.slice();
  const out = new Uint8Array(buffer.length + chunk.length);
  out.set(buffer);
  out.set(chunk, buffer.length);
  return out;
}
