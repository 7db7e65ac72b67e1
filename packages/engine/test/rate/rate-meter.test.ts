import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../src/rate/rate-meter.js';

/** Feeds `bytesPerSecond` as 10 chunks a second from `from` (inclusive) to `to` (exclusive), on a fake clock. */
function feed(meter: RateMeter, bytesPerSecond: number, from: number, to: number): void {
  for (let now = from; now < to; now += 100) meter.add(bytesPerSecond / 10, now);
}

describe('RateMeter', () => {
  it('reads 0 before anything is added', () => {
    const meter = new RateMeter();
    expect(meter.rate(1_000)).toBe(0);
    expect(meter.total).toBe(0);
  });

  it('measures a steady rate over the 5 s window', () => {
    const meter = new RateMeter();
    feed(meter, 100_000, 0, 20_000);
    expect(meter.rate(20_000)).toBeGreaterThan(95_000);
    expect(meter.rate(20_000)).toBeLessThan(105_000);
    expect(meter.total).toBe(2_000_000);
  });

  it('does not under-report a transfer that started less than a window ago', () => {
    const meter = new RateMeter();
    feed(meter, 200_000, 1_000, 2_000);
    expect(meter.rate(2_000)).toBeCloseTo(200_000, -3);
  });

  it('follows a change of rate within one window', () => {
    const meter = new RateMeter();
    feed(meter, 100_000, 0, 10_000);
    feed(meter, 400_000, 10_000, 20_000);
    expect(meter.rate(20_000)).toBeGreaterThan(380_000);
    expect(meter.rate(20_000)).toBeLessThan(420_000);
  });

  it('decays after the transfer stops, to 0 once a window has passed', () => {
    const meter = new RateMeter();
    feed(meter, 100_000, 0, 10_000);
    const halfWindowLater = meter.rate(12_500);
    expect(halfWindowLater).toBeGreaterThan(40_000);
    expect(halfWindowLater).toBeLessThan(60_000);
    expect(meter.rate(15_300)).toBe(0);
    expect(meter.total).toBe(1_000_000);
  });

  it('ignores stale slots after a long silence (the ring wrapped)', () => {
    const meter = new RateMeter(1_000);
    meter.add(1_000_000, 0);
    meter.add(500, 100_000);
    expect(meter.rate(100_000)).toBeLessThan(10_000);
  });

  it('honours a custom window', () => {
    const meter = new RateMeter(1_000);
    feed(meter, 100_000, 0, 5_000);
    feed(meter, 300_000, 5_000, 6_000);
    expect(meter.rate(6_000)).toBeGreaterThan(280_000);
  });

  it('ignores negative and non-finite byte counts, and a clock that steps back', () => {
    const meter = new RateMeter();
    meter.add(-5, 0);
    meter.add(Number.NaN, 0);
    meter.add(Number.POSITIVE_INFINITY, 0);
    expect(meter.total).toBe(0);
    meter.add(1_000, 2_000);
    meter.add(1_000, 1_000);
    expect(meter.total).toBe(2_000);
    expect(meter.rate(500)).toBeCloseTo(meter.rate(2_000));
  });

  it('rejects a window that is not a positive number', () => {
    expect(() => new RateMeter(0)).toThrow(RangeError);
    expect(() => new RateMeter(Number.NaN)).toThrow(RangeError);
  });
});
