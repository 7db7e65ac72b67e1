/**
 * How `bitloom info` shows a magnet link (BEP 9, BEP 53): what the link itself holds. The torrent's files,
 * sizes and pieces are only known once the metadata has been fetched from peers.
 */
import { infoHashToHex, type MagnetLink } from '@bitloom/engine';
import { safeText } from './format.js';

/** The JSON shape of `bitloom info --json` for a magnet link. */
export interface MagnetJson {
  type: 'magnet';
  infoHash?: string;
  infoHashV2?: string;
  name?: string;
  trackers: string[];
  webSeeds: string[];
  peers: { host: string; port: number }[];
  /** BEP 53 `so`: inclusive file index ranges. */
  selectOnly?: { start: number; end: number }[];
}

export function magnetToJson(link: MagnetLink): MagnetJson {
  return {
    type: 'magnet',
    ...(link.infoHash !== undefined && { infoHash: infoHashToHex(link.infoHash) }),
    ...(link.infoHashV2 !== undefined && { infoHashV2: infoHashToHex(link.infoHashV2) }),
    ...(link.displayName !== undefined && { name: link.displayName }),
    trackers: link.trackers,
    webSeeds: link.webSeeds,
    peers: link.peers,
    ...(link.selectOnly !== undefined && { selectOnly: link.selectOnly }),
  };
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(14)}${value}`;
}

/** The text of `bitloom info` for a magnet link. */
export function renderMagnet(link: MagnetLink): string[] {
  const lines = ['Magnet link (files, sizes and pieces come with the metadata, fetched from peers)'];
  if (link.displayName !== undefined) lines.push(field('Name', safeText(link.displayName)));
  if (link.infoHash !== undefined) lines.push(field('Info-hash', infoHashToHex(link.infoHash)));
  if (link.infoHashV2 !== undefined) lines.push(field('Info-hash v2', infoHashToHex(link.infoHashV2)));
  if (link.trackers.length === 0) lines.push(field('Trackers', 'none (DHT only)'));
  else {
    lines.push('Trackers:');
    for (const url of link.trackers) lines.push(`  ${safeText(url)}`);
  }
  if (link.webSeeds.length > 0) {
    lines.push('Web seeds:');
    for (const url of link.webSeeds) lines.push(`  ${safeText(url)}`);
  }
  if (link.peers.length > 0) {
    lines.push('Peers:');
    for (const { host, port } of link.peers)
      lines.push(`  ${safeText(host.includes(':') ? `[${host}]` : host)}:${port}`);
  }
  if (link.selectOnly !== undefined) {
    const ranges = link.selectOnly.map(({ start, end }) => (start === end ? `${start}` : `${start}-${end}`));
    lines.push(field('Select only', ranges.join(',')));
  }
  return lines;
}
