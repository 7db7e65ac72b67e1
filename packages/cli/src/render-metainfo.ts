/**
 * How `bitloom info` (and the other commands' summaries) show a torrent: readable text with every string from
 * the torrent neutralised, or a stable JSON shape for scripts. File indices are the ones `--select` takes.
 */
import { formatMagnet, type Metainfo } from '@bitloom/engine';
import { formatBytes, formatDate, safeText } from './format.js';

/** The magnet link of a torrent: info-hash, name, trackers (all tiers, in order) and web seeds. */
export function magnetFor(metainfo: Metainfo): string {
  return formatMagnet({
    infoHash: metainfo.infoHash,
    displayName: metainfo.name,
    trackers: metainfo.announce.flat(),
    webSeeds: metainfo.urlList,
    peers: [],
  });
}

/** The JSON shape of `bitloom info --json` for a torrent file. */
export interface MetainfoJson {
  type: 'torrent';
  name: string;
  infoHash: string;
  totalLength: number;
  pieceLength: number;
  pieceCount: number;
  multiFile: boolean;
  private: boolean;
  hybrid: boolean;
  files: {
    index: number;
    /** Sanitised path segments, as they will be written below the download directory. */
    path: readonly string[];
    /** The path as the torrent wrote it (control characters neutralised). */
    displayPath: string;
    length: number;
    offset: number;
    padding: boolean;
  }[];
  trackers: string[][];
  webSeeds: string[];
  comment?: string;
  createdBy?: string;
  /** Seconds since the Unix epoch. */
  creationDate?: number;
  magnet: string;
}

export function metainfoToJson(metainfo: Metainfo): MetainfoJson {
  return {
    type: 'torrent',
    name: metainfo.name,
    infoHash: metainfo.infoHashHex,
    totalLength: metainfo.totalLength,
    pieceLength: metainfo.pieceLength,
    pieceCount: metainfo.pieceCount,
    multiFile: metainfo.multiFile,
    private: metainfo.private,
    hybrid: metainfo.hybrid,
    files: metainfo.files.map(({ index, path, displayPath, length, offset, padding }) => ({
      index,
      path,
      displayPath,
      length,
      offset,
      padding,
    })),
    trackers: metainfo.announce,
    webSeeds: metainfo.urlList,
    ...(metainfo.comment !== undefined && { comment: metainfo.comment }),
    ...(metainfo.createdBy !== undefined && { createdBy: metainfo.createdBy }),
    ...(metainfo.creationDate !== undefined && { creationDate: metainfo.creationDate }),
    magnet: magnetFor(metainfo),
  };
}

/** `label:` padded so the values line up. */
function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(14)}${value}`;
}

/** The text of `bitloom info` for a torrent, one entry per line. */
export function renderMetainfo(metainfo: Metainfo): string[] {
  const lines = [
    field('Name', safeText(metainfo.name)),
    field('Info-hash', metainfo.infoHashHex),
    field('Size', `${formatBytes(metainfo.totalLength)} (${metainfo.totalLength} bytes)`),
    field(
      'Pieces',
      `${metainfo.pieceCount} × ${formatBytes(metainfo.pieceLength)} (${metainfo.pieceLength} bytes)`,
    ),
    field('Private', metainfo.private ? 'yes (trackers only: no DHT or peer exchange)' : 'no'),
  ];
  if (metainfo.hybrid) lines.push(field('Version', 'hybrid v1/v2 (used as v1)'));
  if (metainfo.createdBy !== undefined) lines.push(field('Created by', safeText(metainfo.createdBy)));
  if (metainfo.creationDate !== undefined) lines.push(field('Created on', formatDate(metainfo.creationDate)));
  if (metainfo.comment !== undefined) lines.push(field('Comment', safeText(metainfo.comment)));

  if (metainfo.announce.length === 0) {
    lines.push(field('Trackers', 'none (DHT and peer exchange only)'));
  } else {
    lines.push('Trackers:');
    metainfo.announce.forEach((tier, tierIndex) => {
      tier.forEach((url, urlIndex) => {
        lines.push(`  ${urlIndex === 0 ? `tier ${tierIndex + 1}:` : ''}`.padEnd(10) + safeText(url));
      });
    });
  }
  if (metainfo.urlList.length > 0) {
    lines.push('Web seeds:');
    for (const url of metainfo.urlList) lines.push(`  ${safeText(url)}`);
  }

  const files = metainfo.files.filter((file) => !file.padding);
  const hidden = metainfo.files.length - files.length;
  lines.push(`Files (${files.length}${hidden > 0 ? `, plus ${hidden} padding` : ''}):`);
  const indexWidth = String(metainfo.files.length - 1).length;
  for (const file of files) {
    const index = `[${String(file.index).padStart(indexWidth)}]`;
    lines.push(`  ${index} ${formatBytes(file.length).padStart(10)}  ${file.path.map(safeText).join('/')}`);
  }
  lines.push(field('Magnet', magnetFor(metainfo)));
  return lines;
}
