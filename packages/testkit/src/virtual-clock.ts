/**
 * A virtual clock: the testkit's implementation of the engine's `Clock`. Time stands still until a test moves
 * it, so timeouts, keep-alives, choking rounds and re-announces run in virtual time — a simulated hour takes
 * milliseconds and every run is the same. Timers fire in time order (ties in the order they were set).
 */
import { BitloomError, type CancelTimer, type Clock } from '@bitloom/engine';

interface ScheduledTimer {
  readonly due: number;
  /** Breaks ties between timers due at the same instant: first set, first fired. */
  readonly sequence: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Options of {@link VirtualClock.runUntil}. */
export interface RunUntilOptions {
  /** Virtual milliseconds to wait for the predicate before throwing. Default 60 000. */
  maxMs?: number;
  /**
   * Fixed step between predicate checks. Without it the clock jumps from one timer to the next, checking the
   * predicate after each, which is both exact and fast.
   */
  stepMs?: number;
}

/** Lets every queued promise continuation (and I/O callback) run: one macrotask turn drains all microtasks. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A `Clock` whose time only moves when the test says so.
 *
 * Synchronous code: `clock.advance(ms)` runs every timer that falls due (including timers set by those timers)
 * and leaves `now()` at the target.
 *
 * Async engine code (awaiting hashes, storage, connects): use `await clock.advanceAsync(ms)`, which yields to
 * the event loop before and after each timer, so promise chains started by one timer finish before the next
 * fires; or `await clock.runUntil(() => torrent.isComplete, { maxMs: 120_000 })`, which moves time forward
 * until the predicate holds and throws `CLOCK_RUN_UNTIL_TIMEOUT` if it does not within `maxMs` virtual ms.
 */
export class VirtualClock implements Clock {
  #now: number;
  readonly #wallTimeAtZero: number;
  /** Binary min-heap on (due, sequence); cancelled timers are removed lazily. */
  readonly #heap: ScheduledTimer[] = [];
  #nextSequence = 0;
  #liveTimers = 0;
  #advancing = false;

  /**
   * @param start - the initial `now()`, default 0.
   * @param wallTimeAtZero - the `wallTime()` when `now()` is 0 (default 2024-01-01T00:00:00Z), so dates are stable.
   */
  constructor(start = 0, wallTimeAtZero = Date.UTC(2024, 0, 1)) {
    this.#now = start;
    this.#wallTimeAtZero = wallTimeAtZero;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#wallTimeAtZero + this.#now;
  }

  setTimer(ms: number, callback: () => void): CancelTimer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: ScheduledTimer = {
      due: this.#now + delay,
      sequence: this.#nextSequence++,
      callback,
      cancelled: false,
    };
    this.#push(timer);
    this.#liveTimers++;
    return () => {
      if (!timer.cancelled) {
        timer.cancelled = true;
        this.#liveTimers--;
      }
    };
  }

  /** Timers set and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.#liveTimers;
  }

  /** When the next live timer falls due, or undefined when none is pending. */
  get nextTimerAt(): number | undefined {
    this.#dropCancelledHead();
    return this.#heap[0]?.due;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (synchronously). A callback that throws stops the
   * advance at that timer's time and the error propagates to the caller.
   */
  advance(ms: number): void {
    const target = this.#targetOf(ms);
    this.#enter();
    try {
      while (this.#fireNextDueBy(target)) {
        // keep firing
      }
      this.#now = Math.max(this.#now, target);
    } finally {
      this.#advancing = false;
    }
  }

  /**
   * Like {@link advance}, but yields to the event loop before the first timer and after every timer, so promise
   * continuations run at the virtual instant they were triggered.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#targetOf(ms);
    this.#enter();
    try {
      await flushPromises();
      while (this.#fireNextDueBy(target)) {
        await flushPromises();
      }
      this.#now = Math.max(this.#now, target);
      await flushPromises();
    } finally {
      this.#advancing = false;
    }
  }

  /**
   * Advances until `predicate()` holds; checks it after each flush. Returns the virtual milliseconds that passed.
   * Throws `CLOCK_RUN_UNTIL_TIMEOUT` when `maxMs` pass first.
   */
  async runUntil(predicate: () => boolean, options: RunUntilOptions = {}): Promise<number> {
    const maxMs = options.maxMs ?? 60_000;
    const start = this.#now;
    const deadline = start + maxMs;
    await flushPromises();
    while (!predicate()) {
      if (this.#now >= deadline) {
        throw new BitloomError(
          'CLOCK_RUN_UNTIL_TIMEOUT',
          `condition still false after ${maxMs} virtual ms (${this.#liveTimers} timers pending)`,
        );
      }
      const next = this.nextTimerAt;
      let step: number;
      if (options.stepMs !== undefined && options.stepMs > 0) step = options.stepMs;
      else step = next === undefined ? deadline - this.#now : Math.max(0, next - this.#now);
      await this.advanceAsync(Math.min(step, deadline - this.#now));
    }
    return this.#now - start;
  }

  #targetOf(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new BitloomError('CLOCK_BAD_ADVANCE', `cannot advance the clock by ${ms} ms`);
    }
    return this.#now + ms;
  }

  #enter(): void {
    // Advancing from inside a timer would fire later timers before the current one returns: a test bug.
    if (this.#advancing) throw new BitloomError('CLOCK_REENTRANT', 'the clock is already advancing');
    this.#advancing = true;
  }

  /** Fires the earliest live timer due at or before `target`; false when there is none. */
  #fireNextDueBy(target: number): boolean {
    this.#dropCancelledHead();
    const head = this.#heap[0];
    if (head === undefined || head.due > target) return false;
    this.#pop();
    head.cancelled = true;
    this.#liveTimers--;
    this.#now = Math.max(this.#now, head.due);
    head.callback();
    return true;
  }

  #dropCancelledHead(): void {
    while (this.#heap[0]?.cancelled) this.#pop();
  }

  #before(a: ScheduledTimer, b: ScheduledTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  #push(timer: ScheduledTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.#before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}
