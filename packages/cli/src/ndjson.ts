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
