/**
 * Ctrl-C (SIGINT) and SIGTERM while a torrent runs: the first asks for a clean stop (trackers are told
 * `stopped`, files are flushed and closed; at most a few seconds), a second one exits at once with code 130
 * for a user who will not wait.
 */
import { ExitCode } from './exit-codes.js';

/** The part of `process` this needs, so tests can send signals to a plain emitter. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface InterruptWatch {
  /** Resolves on the first signal. */
  readonly interrupted: Promise<void>;
  /** Stops listening (the default handlers apply again). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first calls `onFirst` and resolves `interrupted`; the next calls
 * `exitNow(130)`.
 */
export function watchInterrupts(
  onFirst: () => void,
  exitNow: (code: number) => void,
  source: SignalSource = process,
): InterruptWatch {
  let resolve: () => void = () => {};
  const interrupted = new Promise<void>((r) => {
    resolve = r;
  });
  let count = 0;
  const handler = () => {
    count++;
    if (count > 1) {
      exitNow(ExitCode.INTERRUPTED);
      return;
    }
    onFirst();
    resolve();
  };
  source.on('SIGINT', handler);
  source.on('SIGTERM', handler);
  return {
    interrupted,
    dispose: () => {
      source.off('SIGINT', handler);
      source.off('SIGTERM', handler);
    },
  };
}
