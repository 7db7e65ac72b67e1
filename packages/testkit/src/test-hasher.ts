/**
 * SHA-1 for tests: the engine's `Hasher` on `node:crypto`, computed synchronously and returned as a resolved
 * promise, so hashing finishes within one flush of the virtual clock. BEP 3 piece hashes and info-hashes.
 */
import { createHash } from 'node:crypto';
import type { Hasher, MovedDigest } from '@bitloom/engine';
import { moved } from './moved-bytes.js';

/** Synchronous SHA-1 of `data` as a fresh Uint8Array (20 bytes). */
export function sha1Sync(data: Uint8Array): Uint8Array {
  const digest = createHash('sha1').update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
}

/**
 * A `Hasher` that hashes on the calling thread and counts its calls. Like Node's worker hasher, `sha1Moving`
 * really moves a whole buffer (the caller's view is left detached), so an engine that touched bytes it gave up
 * would see an empty view and fail its tests.
 */
export class TestHasher implements Hasher {
  /** How many digests were asked for: lets tests assert that a piece was (or was not) re-hashed. */
  calls = 0;
  /** How many times the engine said hashing would start soon (`prepare`). */
  prepared = 0;

  prepare(): void {
    this.prepared++;
  }

  sha1(data: Uint8Array): Promise<Uint8Array> {
    this.calls++;
    return Promise.resolve(sha1Sync(data));
  }

  sha1Moving(data: Uint8Array): Promise<MovedDigest> {
    this.calls++;
    const digest = sha1Sync(data);
    return Promise.resolve({ digest, data: moved(data) });
  }
}

/** A shared `Hasher` for tests that need no call counting. */
export const testHasher: Hasher = new TestHasher();
