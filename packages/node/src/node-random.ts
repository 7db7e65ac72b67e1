/** Cryptographic randomness from `node:crypto`: peer ids, transaction ids, tokens and tie-breaks. */
import { randomFillSync, randomInt } from 'node:crypto';
import type { Random } from '@bitloom/engine';

/** `crypto.randomInt` accepts ranges below 2^48; this is the largest. */
const FLOAT_RANGE = 2 ** 48 - 1;

export class NodeRandom implements Random {
  bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`random byte count must be a non-negative integer, got ${length}`);
    }
    const out = new Uint8Array(length);
    randomFillSync(out);
    return out;
  }

  float(): number {
    // 48 random bits: a uniform draw in [0, 1) that never reaches 1.
    return randomInt(FLOAT_RANGE) / FLOAT_RANGE;
  }
}
