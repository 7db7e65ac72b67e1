import { describe, expect, it } from 'vitest';
import { NodeClock } from '../src/node-clock.js';
import { NodeRandom } from '../src/node-random.js';

describe('NodeClock', () => {
  it('gives monotonic time and epoch wall time', () => {
    const clock = new NodeClock();
    const first = clock.now();
    const second = clock.now();
    expect(second).toBeGreaterThanOrEqual(first);
    expect(clock.wallTime()).toBeGreaterThan(Date.UTC(2024, 0, 1));
  });

  it('fires a timer once, in order of delay, and cancels', async () => {
    const clock = new NodeClock();
    const fired: string[] = [];
    const done = new Promise<void>((resolve) => {
      clock.setTimer(0, () => fired.push('zero'));
      const cancel = clock.setTimer(1, () => fired.push('cancelled'));
      cancel();
      cancel();
      clock.setTimer(5, () => {
        fired.push('five');
        resolve();
      });
    });
    await done;
    expect(fired).toEqual(['zero', 'five']);
  });

  it('waits at least the delay', async () => {
    const clock = new NodeClock();
    const start = clock.now();
    const elapsed = await new Promise<number>((resolve) =>
      clock.setTimer(20, () => resolve(clock.now() - start)),
    );
    // Node timers have millisecond granularity; allow a rounding millisecond.
    expect(elapsed).toBeGreaterThanOrEqual(19);
  });
});

describe('NodeRandom', () => {
  it('returns fresh bytes of the requested length', () => {
    const random = new NodeRandom();
    expect(random.bytes(0)).toEqual(new Uint8Array(0));
    const a = random.bytes(20);
    const b = random.bytes(20);
    expect(a.byteLength).toBe(20);
    expect(a.buffer.byteLength).toBe(20);
    // Two 160-bit draws collide with probability 2^-160.
    expect(Buffer.from(a).equals(b)).toBe(false);
    expect(() => random.bytes(-1)).toThrow(RangeError);
    expect(() => random.bytes(1.5)).toThrow(RangeError);
  });

  it('draws floats in [0, 1) spread over the range', () => {
    const random = new NodeRandom();
    const buckets = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = random.float();
      if (!(value >= 0 && value < 1)) outOfRange++;
      else buckets[Math.floor(value * 10)]!++;
    }
    expect(outOfRange).toBe(0);
    // Each bucket expects 1000; 700 is more than 9 standard deviations away.
    for (const count of buckets) expect(count).toBeGreaterThan(700);
  });
});
