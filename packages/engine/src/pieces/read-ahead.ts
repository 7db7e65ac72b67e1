/**
 * Streaming read-ahead: which pieces are time-critical for the open streams (libtorrent's piece deadlines).
 * Each stream wants the pieces from the one it reads next up to a window ahead; a piece's urgency is its
 * distance from a stream's position, so the streams take turns: every stream's next piece first, then every
 * stream's second, and so on. A stream that has waited `stallMs` for its next piece marks it stalled (the picker
 * then also asks a second peer for its blocks in flight). Pure.
 */
import { MAX_CRITICAL_PIECES } from './piece-picker.js';

export interface StreamPosition {
  /** The piece the stream reads next. */
  readonly next: number;
  /** The last piece of the stream's range. */
  readonly last: number;
  /** When the stream started waiting for `next` (clock ms); undefined while it is not waiting. */
  readonly waitingSince: number | undefined;
}

export interface ReadAheadOptions {
  /** Pieces per stream, its next piece included (at least 1). */
  readonly windowPieces: number;
  readonly stallMs: number;
  readonly now: number;
  readonly have: (piece: number) => boolean;
  /** Bound on the whole list (default `MAX_CRITICAL_PIECES`): the farthest pieces are left out. */
  readonly maxPieces?: number;
}

export interface ReadAhead {
  /** Missing pieces, most urgent first, each once. */
  readonly critical: number[];
  /** Streams' next pieces waited on for `stallMs` or longer. */
  readonly stalled: number[];
}

export function readAheadWindows(streams: readonly StreamPosition[], options: ReadAheadOptions): ReadAhead {
  const window = Math.max(1, Math.floor(options.windowPieces));
  const max = options.maxPieces ?? MAX_CRITICAL_PIECES;
  const critical: number[] = [];
  const seen = new Set<number>();
  for (let distance = 0; distance < window && critical.length < max; distance++) {
    let any = false;
    for (const stream of streams) {
      const piece = stream.next + distance;
      if (piece > stream.last) continue;
      any = true;
      if (seen.has(piece) || options.have(piece)) continue;
      seen.add(piece);
      critical.push(piece);
      if (critical.length >= max) break;
    }
    if (!any) break;
  }
  const stalled: number[] = [];
  for (const stream of streams) {
    const since = stream.waitingSince;
    if (since === undefined || options.now - since < options.stallMs || options.have(stream.next)) continue;
    if (seen.has(stream.next) && !stalled.includes(stream.next)) stalled.push(stream.next);
  }
  return { critical, stalled };
}
