/**
 * The Diffie-Hellman exchange of MSE/PE: the 768-bit prime P of the spec (the Oakley group 1 prime) with
 * generator G = 2, 160-bit private keys, and public keys and the shared secret S written as 96-byte big-endian
 * numbers. Arithmetic on `bigint`; one modular exponentiation per side and per connection.
 */
import type { Random } from '../platform/random.js';

/** The MSE prime P. */
export const MSE_PRIME = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563',
);
export const MSE_GENERATOR = 2n;
/** Bytes of a public key (Ya, Yb) and of the shared secret S on the wire. */
export const MSE_KEY_LENGTH = 96;
/** Bytes of a private key (Xa, Xb): 160 bits, as the spec recommends. */
export const MSE_PRIVATE_KEY_LENGTH = 20;

/** base^exponent mod modulus, square-and-multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Big-endian bytes to a non-negative bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** A non-negative bigint as exactly `length` big-endian bytes (left-padded with zeros). */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
  return out;
}

/** One side's key pair. */
export interface DhKeyPair {
  readonly privateKey: bigint;
  /** G^privateKey mod P, 96 bytes big-endian: what goes on the wire. */
  readonly publicKey: Uint8Array;
}

/** Draws a private key from `random` and computes the matching public key. */
export function generateDhKeyPair(random: Random): DhKeyPair {
  let privateKey = bytesToBigInt(random.bytes(MSE_PRIVATE_KEY_LENGTH));
  if (privateKey < 2n) privateKey += 2n;
  const publicKey = bigIntToBytes(modPow(MSE_GENERATOR, privateKey, MSE_PRIME), MSE_KEY_LENGTH);
  return { privateKey, publicKey };
}

/**
 * The shared secret S from the other side's 96-byte public key, or undefined when that key is degenerate
 * (≤ 1 or ≥ P − 1: such keys force S into a tiny set, a sign of a broken or hostile peer).
 */
export function dhSharedSecret(privateKey: bigint, otherPublicKey: Uint8Array): Uint8Array | undefined {
  if (otherPublicKey.length !== MSE_KEY_LENGTH) return undefined;
  const y = bytesToBigInt(otherPublicKey);
  if (y <= 1n || y >= MSE_PRIME - 1n) return undefined;
  return bigIntToBytes(modPow(y, privateKey, MSE_PRIME), MSE_KEY_LENGTH);
}
