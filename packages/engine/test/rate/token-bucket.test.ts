import { describe, expect, it } from 'vitest';
import { LimitChain, TokenBucket } from '../../src/rate/token-bucket.js';

describe('TokenBucket', () => {
  it('is unlimited at rate 0', () => {
    expect(new TokenBucket().available(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refills at its rate, holds at most half a second, and carries debt', () => {
    const bucket = new TokenBucket(100_000);
    expect(bucket.available(0)).toBe(16 * 1024);
    bucket.take(16 * 1024, 0);
    expect(bucket.available(100)).toBeCloseTo(10_000);
    expect(bucket.available(10_000)).toBe(50_000); // capped at half a second of rate
    bucket.take(80_000, 10_000);
    expect(bucket.available(10_000)).toBe(-30_000);
    expect(bucket.available(10_500)).toBeCloseTo(20_000);
  });

  it('a chain allows the least of its buckets and charges all', () => {
    const a = new TokenBucket(100_000);
    const b = new TokenBucket();
    const chain = new LimitChain([a, b]);
    expect(chain.available(0)).toBe(16 * 1024);
    chain.take(1000, 0);
    expect(a.available(0)).toBe(16 * 1024 - 1000);
    b.setRate(1000);
    expect(chain.available(0)).toBe(16 * 1024 - 1000); // b starts with one block too
  });
});
