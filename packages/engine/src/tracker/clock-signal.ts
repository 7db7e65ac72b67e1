/**
 * Timeouts as `AbortSignal`s built on the platform's `Clock` (never the global timers), so tracker timeouts run
 * in virtual time in tests. The signal also follows an optional parent signal.
 */
import type { Clock } from '../platform/clock.js';

/** A signal that aborts after `ms` on `clock`, or when `parent` aborts; `dispose` releases the timer. */
export interface TimeoutSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function timeoutSignal(clock: Clock, ms: number, parent?: AbortSignal): TimeoutSignal {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  const cancelTimer = clock.setTimer(ms, () => controller.abort(new Error(`timed out after ${ms} ms`)));
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      cancelTimer();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
