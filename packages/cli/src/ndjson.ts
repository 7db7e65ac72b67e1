/**
 * `--json` output: one JSON object a line (NDJSON), `{"event": …, …}`. Values are the raw data (a script wants
 * the real name), but the line itself is safe on a terminal: JSON.stringify escapes C0 controls, and C1
 * controls, bidi controls and line separators are escaped here too (`\u009b`), which parses back to the
 * same string.
 */

const TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** One event as a line, newline included. */
export function eventLine(event: string, data: object): string {
  const json = JSON.stringify({ event, ...data }).replace(
    TERMINAL_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}

/** Errors already written as an `error` event, so that a failure is reported once. */
const emittedErrors = new WeakSet<object>();

/** The `error` event for `error` (its code, or `ERROR`, and its message); remembered as emitted. */
export function errorEventLine(error: unknown): string {
  if (typeof error === 'object' && error !== null) emittedErrors.add(error);
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return eventLine('error', { code: typeof code === 'string' ? code : 'ERROR', message });
}

/**
 * Runs a command's work; with `--json`, a failure not yet reported as an event (a bad .torrent, a port in use)
 * becomes an `error` event on `out` too, so a script reading only stdout learns why it stopped. The error is
 * rethrown either way: stderr still gets its line and the exit code is the same.
 */
export async function withJsonErrors(
  json: boolean,
  out: { write(text: string): unknown },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (json && !(typeof error === 'object' && error !== null && emittedErrors.has(error))) {
      out.write(errorEventLine(error));
    }
    throw error;
  }
}
