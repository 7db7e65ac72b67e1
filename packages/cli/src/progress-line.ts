/**
 * What the progress display of `download` and `seed` says, as pure functions of a status: the live line a
 * terminal shows (fitted to its width), the plain line written to logs and pipes, and the line shown while a
 * magnet link's metadata is fetched. Names come from the network and are neutralised here, once.
 */
import type { TorrentStatus } from '@bitloom/engine';
import { formatBytes, formatDuration, formatRate, formatRatio, safeText } from './format.js';
import { displayWidth, truncateToWidth } from './text-width.js';

const BAR_WIDTH = 20;
const SHORT_BAR_WIDTH = 10;
/** A name is never cut shorter than this to make room for the figures; the whole line is cut instead. */
const MIN_NAME_WIDTH = 12;
const SEPARATOR = '  ';

/** Progress of a magnet link before its torrent exists (BEP 9). */
export interface MetadataFetchView {
  readonly name: string;
  /** Metadata pieces received, of `total` (0 until a peer told the size). */
  readonly received: number;
  readonly total: number;
  readonly peersConnected: number;
  readonly peersKnown: number;
}

/** `[#########-----------]` for a fraction from 0 to 1. */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(clamped * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** `42.0%`; never shows 100.0% before the fraction is exactly 1 (every piece verified). */
export function formatPercent(fraction: number): string {
  const percent = Math.min(fraction < 1 ? 99.9 : 100, Math.max(0, fraction * 100));
  return `${percent.toFixed(1)}%`;
}

/** What the torrent is doing, e.g. `checking 12/40` or `downloading`. */
export function stateLabel(status: TorrentStatus): string {
  if (status.state === 'checking') return `checking ${status.checkedPieces}/${status.pieceCount}`;
  return status.state;
}

/** Seconds until complete at the current rate; undefined when not downloading or nothing arrives. */
export function etaSeconds(status: TorrentStatus): number | undefined {
  if (status.state !== 'downloading' || status.downloadRate <= 0) return undefined;
  return (status.wantedBytes - status.wantedVerifiedBytes) / status.downloadRate;
}

/**
 * Uploaded over downloaded; for data we had before (nothing downloaded in this run), uploaded over what we
 * have, as Transmission does. Undefined while there is nothing to divide by.
 */
export function shareRatio(status: TorrentStatus): number | undefined {
  const base = status.downloadedBytes > 0 ? status.downloadedBytes : status.verifiedBytes;
  return base > 0 ? status.uploadedBytes / base : undefined;
}

/** The figures after the name, in the order both line styles show them. */
function figures(status: TorrentStatus): string[] {
  return [
    `down ${formatRate(status.downloadRate)}`,
    `up ${formatRate(status.uploadRate)}`,
    `peers ${status.peersConnected}/${status.peersKnown}`,
    ...(status.state === 'downloading' ? [`ETA ${formatDuration(etaSeconds(status) ?? Number.NaN)}`] : []),
    `ratio ${formatRatio(shareRatio(status))}`,
  ];
}

/** What follows the name on the live line, richest first: a long bar, a short one, none, then tighter. */
function liveFigureVariants(status: TorrentStatus): string[] {
  const state = stateLabel(status);
  const percent = formatPercent(status.progress);
  const rest = figures(status);
  return [
    [state, progressBar(status.progress), percent, ...rest].join(SEPARATOR),
    [state, progressBar(status.progress, SHORT_BAR_WIDTH), percent, ...rest].join(SEPARATOR),
    [state, percent, ...rest].join(SEPARATOR),
    [state, percent, ...rest].join(' '),
  ];
}

/** `name` cut so that `name  rest` fits `width` columns; below MIN_NAME_WIDTH the whole line is cut. */
function fitLine(name: string, rest: string, width: number): string {
  const room = width - displayWidth(rest) - SEPARATOR.length;
  const line = `${truncateToWidth(name, Math.max(room, MIN_NAME_WIDTH))}${SEPARATOR}${rest}`;
  return truncateToWidth(line, width);
}

/**
 * The live display of one torrent in at most `width` columns: one line, e.g.
 * `ubuntu.iso  downloading  [########------------]  42.0%  down 12.0 MiB/s  up 0 B/s  peers 3/5  ETA 4s  ratio 0.00`,
 * when it fits with at least a few characters of the name; otherwise the name on a line of its own above the
 * figures, which drop the bar and tighten before anything is cut.
 */
export function statusLines(status: TorrentStatus, name: string, width = Number.POSITIVE_INFINITY): string[] {
  const safeName = safeText(name);
  const variants = liveFigureVariants(status);
  const full = variants[0]!;
  if (displayWidth(full) + SEPARATOR.length + MIN_NAME_WIDTH <= width)
    return [fitLine(safeName, full, width)];
  const fitting = variants.find((variant) => displayWidth(variant) <= width) ?? variants.at(-1)!;
  return [truncateToWidth(safeName, width), truncateToWidth(fitting, width)];
}

/** The live display on one line, uncut (see {@link statusLines}). */
export function statusLine(status: TorrentStatus, name: string): string {
  return statusLines(status, name)[0]!;
}

/**
 * The line for logs and pipes, sizes spelled out (of what is to be downloaded: the selected files' pieces), e.g.
 * `ubuntu.iso: downloading 42.0% (1.20 GiB of 2.86 GiB)  down 12.0 MiB/s  up 0 B/s  peers 3/5  ETA 4s  ratio 0.00`.
 */
export function plainLine(status: TorrentStatus, name: string): string {
  const done = `${formatPercent(status.progress)} (${formatBytes(status.wantedVerifiedBytes)} of ${formatBytes(status.wantedBytes)})`;
  return [`${safeText(name)}: ${stateLabel(status)} ${done}`, ...figures(status)].join(SEPARATOR);
}

/** While a magnet link's metadata is fetched: `name  fetching metadata  3/5 pieces  peers 2/7`. */
export function metadataLine(view: MetadataFetchView, width = Number.POSITIVE_INFINITY): string {
  const rest = [
    'fetching metadata',
    `${view.received}/${view.total > 0 ? view.total : '?'} pieces`,
    `peers ${view.peersConnected}/${view.peersKnown}`,
  ].join(SEPARATOR);
  return fitLine(safeText(view.name), rest, width);
}
