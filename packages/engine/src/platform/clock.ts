/** Cancels a timer; calling it twice, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

/**
 * Time as the engine sees it. Node supplies the real clock; the testkit a virtual one, so timeouts, choking
 * rounds and endgame run in virtual time.
 */
export interface Clock {
  /** Monotonic milliseconds, for durations and deadlines. */
  now(): number;
  /** Milliseconds since the Unix epoch, for dates written into files (e.g. `creation date`). */
  wallTime(): number;
  /** Runs `callback` once after `ms` milliseconds. */
  setTimer(ms: number, callback: () => void): CancelTimer;
}
