/**
 * SHA-1 for tests: the engine's `Hasher` on `node:crypto`, computed synchronously and returned as a resolved
 * promise, so hashing finishes within one flush of the virtual clock. BEP 3 piece hashes and info-hashes.
 */
import { createHash } from 'node:crypto';
import type { Hasher } from '@bitloom/engine';

/** Synchronous SHA-1 of `data` as a fresh Uint8Array (20 bytes). */
export function sha1Sync(data: Uint8Array): Uint8Array {
  const digest = createHash('sha1').update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
}

/** A `Hasher` that hashes on the calling thread and counts its calls. */
export class TestHasher implements Hasher {
  /** How many digests were asked for: lets tests assert that a piece was (or was not) re-hashed. */
  calls = 0;

  sha1(data: Uint8Array): Promise<Uint8Array> {
    this.calls++;
    return Promise.resolve(sha1Sync(data));
  }
}

/** A shared `Hasher` for tests that need no call counting. */
export const testHasher: Hasher = new TestHasher();
