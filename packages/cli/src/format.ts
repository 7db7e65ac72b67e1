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

/** `1536` → `1.50 KiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** Seconds as `42s`, `3m07s`, `2h05m`, `3d04h`; `--` when unknown (no rate yet) or absurd. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  const days = Math.floor(s / 86_400);
  return days > 999 ? '>999d' : `${days}d${pad2(Math.floor((s % 86_400) / 3600))}h`;
}

/** A share ratio with two decimals; `--` when nothing was received to compare with. */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '--';
  return ratio.toFixed(2);
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * Text from the network made safe to print on one line: control characters become `\xHH`, bidi controls
 * `\u{…}`, so a name cannot clear the screen, recolour the terminal or reverse what is shown.
 */
export function safeText(text: string): string {
  // U+2028/U+2029 end a line on some terminals: a name must stay on its own line.
  return neutralizeControlChars(text).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
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
