import { describe, expect, it } from 'vitest';
import { sha1Sync, TestHasher, testHasher } from '../src/test-hasher.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('testHasher', () => {
  it('computes SHA-1 (FIPS 180 test vectors)', async () => {
    expect(hex(await testHasher.sha1(new Uint8Array(0)))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex(await testHasher.sha1(new TextEncoder().encode('abc')))).toBe(
      'a9993e364706816aba3e25717850c26c9cd0d89d',
    );
  });

  it('hashes only the view it is given, and returns a fresh 20-byte array', async () => {
    const backing = new TextEncoder().encode('xxabcxx');
    const digest = await testHasher.sha1(backing.subarray(2, 5));
    expect(hex(digest)).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(digest.byteLength).toBe(20);
    expect(digest.buffer.byteLength).toBe(20);
  });

  it('counts calls', async () => {
    const hasher = new TestHasher();
    await hasher.sha1(new Uint8Array(3));
    await hasher.sha1(new Uint8Array(3));
    expect(hasher.calls).toBe(2);
    expect(sha1Sync(new Uint8Array(3))).toEqual(await hasher.sha1(new Uint8Array(3)));
  });
});
