/**
 * Reading what the user names on the command line as a torrent: a `.torrent` file (BEP 3) or a magnet link
 * (BEP 9). The file's size is checked before it is read, so pointing at a large video by mistake fails at once.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  DEFAULT_METAINFO_LIMITS,
  MagnetError,
  type MagnetLink,
  type Metainfo,
  MetainfoError,
  parseMagnet,
  parseTorrent,
} from '@bitloom/engine';
import { formatBytes } from './format.js';
import { inlineHasher } from './hashers.js';

/** True for `magnet:?…` (any case). */
export function isMagnetUri(input: string): boolean {
  return /^magnet:/i.test(input);
}

/** Reads and parses a `.torrent` file; errors name the file. */
export async function readTorrentFile(path: string): Promise<Metainfo> {
  const info = await stat(path);
  if (info.isDirectory()) {
    throw new MetainfoError('METAINFO_READ_FAILED', `${path}: is a directory, not a .torrent file`);
  }
  const { size } = info;
  const limit = DEFAULT_METAINFO_LIMITS.maxTorrentBytes;
  if (size > limit) {
    throw new MetainfoError(
      'METAINFO_TOO_LARGE',
      `${path}: ${formatBytes(size)} is larger than a torrent file may be (${formatBytes(limit)}); is it a torrent?`,
    );
  }
  try {
    return await parseTorrent(new Uint8Array(await readFile(path)), inlineHasher);
  } catch (error) {
    if (error instanceof MetainfoError) {
      throw new MetainfoError(error.code, `${path}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** A torrent file or a magnet link, parsed. */
export type TorrentInput = { kind: 'torrent'; metainfo: Metainfo } | { kind: 'magnet'; link: MagnetLink };

export async function readTorrentInput(input: string): Promise<TorrentInput> {
  if (isMagnetUri(input)) {
    try {
      return { kind: 'magnet', link: parseMagnet(input) };
    } catch (error) {
      if (!(error instanceof MagnetError)) throw error;
      throw new MagnetError(error.code, `invalid magnet link: ${error.message}`);
    }
  }
  return { kind: 'torrent', metainfo: await readTorrentFile(input) };
}
