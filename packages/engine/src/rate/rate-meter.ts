/**
 * A rolling transfer rate: bytes per second over the last `windowMs` (default 5 s), fed with byte counts and
 * the clock's `now`. Bytes go into fixed time slots (a twentieth of the window each), so adding is O(1) however
 * many blocks arrive, and reading is O(slots). Used for choking (tit-for-tat), request queue depth and status.
 */

const SLOTS = 20;

export class RateMeter {
  readonly windowMs: number;
  readonly #slotMs: number;
  readonly #slotBytes = new Float64Array(SLOTS);
  /** The slot number (⌊time / slotMs⌋) each ring entry currently holds, so stale entries are ignored. */
  readonly #slotNumber = new Float64Array(SLOTS).fill(-1);
  #firstSlot: number | undefined;
  #latest = Number.NEGATIVE_INFINITY;
  #total = 0;

  constructor(windowMs = 5_000) {
    if (!Number.isFinite(windowMs) || windowMs <= 0)
      throw new RangeError(`window must be positive, got ${windowMs}`);
    this.windowMs = windowMs;
    this.#slotMs = windowMs / SLOTS;
  }

  /** All bytes ever added. */
  get total(): number {
    return this.#total;
  }

  /** Counts `bytes` transferred at `now`. Negative or non-finite counts are ignored. */
  add(bytes: number, now: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) return;
    const slot = this.#slotAt(now);
    const ring = slot % SLOTS;
    if (this.#slotNumber[ring] !== slot) {
      this.#slotNumber[ring] = slot;
      this.#slotBytes[ring] = 0;
    }
    this.#slotBytes[ring]! += bytes;
    this.#firstSlot ??= slot;
    this.#total += bytes;
  }

  /**
   * Bytes/s over the window ending at `now`. Before a full window has passed since the first byte, averages
   * over the time since that byte's slot began (so a fresh transfer is not under-reported).
   */
  rate(now: number): number {
    if (this.#firstSlot === undefined) return 0;
    const current = this.#slotAt(now);
    const oldest = Math.max(current - SLOTS + 1, this.#firstSlot);
    let bytes = 0;
    for (let ring = 0; ring < SLOTS; ring++) {
      const slot = this.#slotNumber[ring]!;
      if (slot >= oldest && slot <= current) bytes += this.#slotBytes[ring]!;
    }
    const spanMs = Math.max(this.#slotMs, Math.max(now, this.#latest) - oldest * this.#slotMs);
    return (bytes * 1000) / spanMs;
  }

  /** The clock is monotonic, but a caller's `now` may repeat or step back: never go backwards. */
  #slotAt(now: number): number {
    if (now > this.#latest) this.#latest = now;
    return Math.max(0, Math.floor(this.#latest / this.#slotMs));
  }
}
