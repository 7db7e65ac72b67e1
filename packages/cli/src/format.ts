/**
 * Rendering helpers for terminal output: human sizes in binary units, dates, and text from torrents, trackers
 * and peers made harmless before it reaches a terminal (escape sequences and bidi controls neutralised).
 */
import { neutralizeControlChars } from '@bitloom/engine';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `1536` → `1.5 KiB`; bytes below 1 KiB are exact (`512 B`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/**
 * Text from the network made safe to print on one line: control characters become `\xHH`, bidi controls
 * `\u{…}`, so a name cannot clear the screen, recolour the terminal or reverse what is shown.
 */
export function safeText(text: string): string {
  return neutralizeControlChars(text);
}

/** Seconds since the epoch as an ISO 8601 UTC date, or `unknown` when out of range. */
export function formatDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().replace('.000Z', 'Z');
}

/** A message forced onto one line: newlines become spaces, control characters are neutralised. */
export function oneLine(text: string): string {
  return safeText(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}
