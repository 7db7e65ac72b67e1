/**
 * The real clock: monotonic time from `performance.now()`, wall time from `Date.now()`, timers from `setTimeout`.
 *
 * Timers are unref'd: a pending timer alone does not keep the process alive. What keeps a bitloom process running
 * is its open sockets (the listener, peer connections, the DHT socket) and in-flight file or hashing work; when
 * all of those are gone, a leftover re-announce or keep-alive timer should not hold the process open.
 */
import type { CancelTimer, Clock } from '@bitloom/engine';

/** Node's largest timer delay (2^31 - 1 ms); longer delays fire at once, so they are clamped. */
const MAX_TIMER_MS = 2_147_483_647;

export class NodeClock implements Clock {
  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(ms: number, callback: () => void): CancelTimer {
    // NaN and negative delays fire as soon as possible, as with setTimeout itself.
    const delay = Number.isNaN(ms) ? 0 : Math.min(Math.max(ms, 0), MAX_TIMER_MS);
    const timer = setTimeout(callback, delay);
    timer.unref();
    return () => clearTimeout(timer);
  }
}
