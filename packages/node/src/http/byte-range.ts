/**
 * The `Range` request header for one resource of known length (RFC 9110 §14): a single `bytes=` range — first-last,
 * first-, or -suffix — is honoured; anything else (several ranges, other units, bad syntax) is ignored and the
 * whole resource is sent, which the RFC allows. A range that starts past the end is unsatisfiable (416). Pure.
 */

export type RangeDecision =
  /** Send everything (no Range, or one we choose to ignore): 200. */
  | { readonly kind: 'full' }
  /** Send bytes start..end inclusive: 206 with Content-Range. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** 416 with `Content-Range: bytes *\/length`. */
  | { readonly kind: 'unsatisfiable' };

/** Longest Range header looked at; a longer one is ignored (no legitimate single range comes close). */
const MAX_RANGE_HEADER = 200;
const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

export function decideRange(header: string | undefined, length: number): RangeDecision {
  if (header === undefined || header.length > MAX_RANGE_HEADER) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(header);
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix: the last N bytes.
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'full' };
    if (suffix === 0 || length === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'full' };
  if (start >= length) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, length - 1) };
}
