/**
 * Per-IP rate limiting of incoming DHT queries (BEP 5 leaves it to implementations; libtorrent drops floods the
 * same way): one token bucket per source address, refilled from the platform clock. The number of tracked
 * addresses is capped, forgetting the longest-tracked first, so a spoofed-source flood cannot grow memory.
 */

export interface IpRateLimiterOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size (the burst). */
  burst: number;
  /** Addresses tracked at most. */
  maxTracked: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class IpRateLimiter {
  readonly #options: IpRateLimiterOptions;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: IpRateLimiterOptions) {
    this.#options = options;
  }

  /** Takes one token for `ip` at time `now`; false means the query should be dropped. */
  allow(ip: string, now: number): boolean {
    const { ratePerSecond, burst, maxTracked } = this.#options;
    let bucket = this.#buckets.get(ip);
    if (bucket === undefined) {
      if (this.#buckets.size >= maxTracked) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      bucket = { tokens: burst, updatedAt: now };
      this.#buckets.set(ip, bucket);
    } else {
      const elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000);
      bucket.updatedAt = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets addresses whose bucket has refilled completely: they are as good as new. */
  sweep(now: number): void {
    const { ratePerSecond, burst } = this.#options;
    for (const [ip, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * ratePerSecond) / 1000 >= burst)
        this.#buckets.delete(ip);
    }
  }

  /** Addresses currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}
