/**
 * The MSE building blocks: SHA-1 against node:crypto, RC4 against RFC 6229, and the 768-bit Diffie-Hellman
 * exchange (both sides agree; degenerate keys refused).
 */
import { createHash } from 'node:crypto';
import { SeededRandom } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import {
  bigIntToBytes,
  bytesToBigInt,
  dhSharedSecret,
  generateDhKeyPair,
  MSE_KEY_LENGTH,
  MSE_PRIME,
  modPow,
} from '../../src/crypto/diffie-hellman.js';
import { MSE_RC4_DISCARD, Rc4 } from '../../src/crypto/rc4.js';
import { sha1 } from '../../src/crypto/sha1.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

describe('sha1', () => {
  it('matches node:crypto at every length around the block and padding boundaries', () => {
    const random = new SeededRandom(7);
    for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const data = random.bytes(length);
      expect(hex(sha1(data)), `length ${length}`).toBe(createHash('sha1').update(data).digest('hex'));
    }
  });

  it('hashes the concatenation of its parts', () => {
    const parts = [new TextEncoder().encode('req1'), new Uint8Array(96).fill(0xab)];
    const joined = Buffer.concat(parts);
    expect(hex(sha1(...parts))).toBe(createHash('sha1').update(joined).digest('hex'));
  });

  it('knows the FIPS 180 vector for "abc"', () => {
    expect(hex(sha1(new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

describe('rc4 (RFC 6229 vectors)', () => {
  const keystream = (key: Uint8Array, length: number): Uint8Array =>
    new Rc4(key).apply(new Uint8Array(length));

  it('40-bit key 0x0102030405 at offsets 0, 16, 1024 and 4096', () => {
    const stream = keystream(fromHex('0102030405'), 4112);
    expect(hex(stream.subarray(0, 32))).toBe(
      'b2396305f03dc027ccc3524a0a1118a86982944f18fc82d589c403a47a0d0919',
    );
    expect(hex(stream.subarray(0x400, 0x410))).toBe('30abbcc7c20b01609f23ee2d5f6bb7df');
    expect(hex(stream.subarray(0x1000, 0x1010))).toBe('ff25b58995996707e51fbdf08b34d875');
  });

  it('56-bit key 0x01020304050607 at offset 0', () => {
    expect(hex(keystream(fromHex('01020304050607'), 16))).toBe('293f02d47f37c9b633f2af5285feb46b');
  });

  it('drop-1024 starts where the RFC stream reaches offset 1024', () => {
    const dropped = new Rc4(fromHex('0102030405'), MSE_RC4_DISCARD).apply(new Uint8Array(16));
    expect(hex(dropped)).toBe('30abbcc7c20b01609f23ee2d5f6bb7df');
  });

  it('continues the keystream across calls and decrypts what it encrypted', () => {
    const key = fromHex('0102030405');
    const whole = keystream(key, 64);
    const split = new Rc4(key);
    const parts = [split.apply(new Uint8Array(5)), split.apply(new Uint8Array(59))];
    expect(hex(Buffer.concat(parts))).toBe(hex(whole));
    const message = new TextEncoder().encode('BitTorrent protocol');
    const ciphertext = new Rc4(key, 1024).apply(message);
    expect(ciphertext).not.toEqual(message);
    expect(new Rc4(key, 1024).apply(ciphertext)).toEqual(message);
  });

  it('apply leaves its input alone; applyInPlace does not', () => {
    const data = new Uint8Array(8);
    new Rc4(fromHex('01')).apply(data);
    expect(data).toEqual(new Uint8Array(8));
    new Rc4(fromHex('01')).applyInPlace(data);
    expect(data).not.toEqual(new Uint8Array(8));
  });

  it('refuses an empty key (a caller bug)', () => {
    expect(() => new Rc4(new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('Diffie-Hellman over the MSE prime', () => {
  it('modPow agrees with small known values', () => {
    expect(modPow(2n, 10n, 1000n)).toBe(24n);
    expect(modPow(3n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 117n, 19n)).toBe(1n);
  });

  it('the prime is 768 bits and round-trips through 96 bytes', () => {
    expect(MSE_PRIME.toString(2)).toHaveLength(768);
    expect(bytesToBigInt(bigIntToBytes(MSE_PRIME, MSE_KEY_LENGTH))).toBe(MSE_PRIME);
    expect(() => bigIntToBytes(MSE_PRIME, 95)).toThrow(RangeError);
  });

  it('both sides derive the same 96-byte secret', () => {
    for (const seed of [1, 2, 3]) {
      const a = generateDhKeyPair(new SeededRandom(seed));
      const b = generateDhKeyPair(new SeededRandom(seed + 100));
      expect(a.publicKey).toHaveLength(MSE_KEY_LENGTH);
      const sa = dhSharedSecret(a.privateKey, b.publicKey);
      const sb = dhSharedSecret(b.privateKey, a.publicKey);
      expect(sa).toBeDefined();
      expect(sa).toHaveLength(MSE_KEY_LENGTH);
      expect(hex(sa!)).toBe(hex(sb!));
    }
  });

  it('refuses degenerate public keys (0, 1, P-1, P, all ones) and wrong lengths', () => {
    const { privateKey } = generateDhKeyPair(new SeededRandom(4));
    for (const y of [0n, 1n, MSE_PRIME - 1n, MSE_PRIME, 2n ** 768n - 1n]) {
      expect(dhSharedSecret(privateKey, bigIntToBytes(y, MSE_KEY_LENGTH)), `y = ${y}`).toBeUndefined();
    }
    expect(dhSharedSecret(privateKey, new Uint8Array(95).fill(7))).toBeUndefined();
  });
});
