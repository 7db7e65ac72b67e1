import { randomInt, shuffle } from '@bitloom/engine';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/seeded-random.js';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const streamA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it('distinguishes seeds that differ only above 32 bits', () => {
    expect(new SeededRandom(1).nextUint32()).not.toBe(new SeededRandom(1 + 2 ** 32).nextUint32());
  });

  it('float() stays in [0, 1) and is roughly uniform', () => {
    const random = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = random.float();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)]!++;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('bytes() returns the requested length, covers all byte values, and is reproducible', () => {
    const bytes = new SeededRandom(1).bytes(4099);
    expect(bytes.length).toBe(4099);
    expect(new Set(bytes).size).toBe(256);
    expect(new SeededRandom(1).bytes(4099)).toEqual(bytes);
    expect(new SeededRandom(1).bytes(0).length).toBe(0);
  });

  it('works with the engine helpers randomInt and shuffle', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 1000; i++) {
      const n = randomInt(random, 6);
      expect(Number.isInteger(n) && n >= 0 && n < 6).toBe(true);
    }
    const shuffled = shuffle(new SeededRandom(9), [1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shuffle(new SeededRandom(9), [1, 2, 3, 4, 5, 6, 7, 8])).toEqual(shuffled);
  });

  it('fork() gives an independent but reproducible generator', () => {
    const forkA = new SeededRandom(5).fork();
    const forkB = new SeededRandom(5).fork();
    expect(forkA.nextUint32()).toBe(forkB.nextUint32());
    expect(new SeededRandom(5).fork().nextUint32()).not.toBe(new SeededRandom(5).nextUint32());
  });
});
