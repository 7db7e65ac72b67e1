/** Randomness as the engine sees it: seeded in tests, cryptographic on Node. */
export interface Random {
  /** `length` random bytes (peer ids, transaction ids, tokens). */
  bytes(length: number): Uint8Array;
  /** A uniform float in [0, 1) (tie-breaks, shuffles). */
  float(): number;
}

/** A uniform integer in [0, maxExclusive). */
export function randomInt(random: Random, maxExclusive: number): number {
  return Math.floor(random.float() * maxExclusive);
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
