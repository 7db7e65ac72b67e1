/**
 * A token bucket for rate limits (bytes per second), refilled from `now` whenever it is asked, so the session tick
 * is all it needs. Rate 0 means unlimited. Holds at most half a second of tokens (and at least one block), so a
 * limited transfer cannot burst far past its rate after an idle spell.
 */
import { BLOCK_SIZE } from '../indices.js';

export class TokenBucket {
  private tokens = 0;
  private lastRefill: number | undefined;

  constructor(private rate = 0) {}

  get bytesPerSecond(): number {
    return this.rate;
  }

  get unlimited(): boolean {
    return this.rate <= 0;
  }

  /** Changes the rate at run time; 0 removes the limit. */
  setRate(bytesPerSecond: number): void {
    this.rate = Math.max(0, Math.floor(bytesPerSecond));
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Bytes that may be sent or requested now. */
  available(now: number): number {
    if (this.unlimited) return Number.POSITIVE_INFINITY;
    this.refill(now);
    return this.tokens;
  }

  /** Spends `bytes` (it may go below zero: the debt is repaid before anything else passes). */
  take(bytes: number, now: number): void {
    if (this.unlimited) return;
    this.refill(now);
    this.tokens -= bytes;
  }

  private capacity(): number {
    return Math.max(BLOCK_SIZE, this.rate / 2);
  }

  private refill(now: number): void {
    if (this.lastRefill === undefined) {
      this.lastRefill = now;
      this.tokens = Math.min(this.capacity(), BLOCK_SIZE);
      return;
    }
    const elapsed = now - this.lastRefill;
    this.lastRefill = now;
    if (elapsed > 0) this.tokens = Math.min(this.capacity(), this.tokens + (elapsed * this.rate) / 1000);
  }
}

/** Several buckets that must all allow a transfer (a torrent's own limit and the session's global one). */
export class LimitChain {
  constructor(private readonly buckets: readonly TokenBucket[]) {}

  available(now: number): number {
    let min = Number.POSITIVE_INFINITY;
    for (const bucket of this.buckets) min = Math.min(min, bucket.available(now));
    return min;
  }

  take(bytes: number, now: number): void {
    for (const bucket of this.buckets) bucket.take(bytes, now);
  }
}
