/**
 * The reader of our output went away (`bitloom download x --json | head -1`): writing to the pipe fails with
 * EPIPE, which Node raises as an 'error' event that would crash the process with a stack trace. Instead the
 * first such failure stops the run the way Ctrl-C does (trackers told, resume data saved), and later writes to
 * the dead pipe are dropped quietly.
 */

/** The part of a stream this needs. */
export interface ErrorSource {
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
}

/** Calls `stop` once when `stream` fails with EPIPE; other errors are rethrown as before. */
export function stopOnClosedOutput(stream: ErrorSource, stop: () => void): void {
  let stopped = false;
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    if (stopped) return;
    stopped = true;
    stop();
  });
}
