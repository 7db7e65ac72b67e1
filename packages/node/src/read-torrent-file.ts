/**
 * Reads a .torrent file for `session.add(path)`: its size is checked first (no torrent is larger than the
 * metainfo limit), so pointing at a large video by mistake fails at once instead of reading it into memory.
 */
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_METAINFO_LIMITS, MetainfoError } from '@bitloom/engine';

export async function readTorrentFile(path: string): Promise<Uint8Array> {
  const { size } = await stat(path);
  const limit = DEFAULT_METAINFO_LIMITS.maxTorrentBytes;
  if (size > limit) {
    throw new MetainfoError(
      'METAINFO_TOO_LARGE',
      `${path}: ${size} bytes is larger than a torrent file may be`,
    );
  }
  return new Uint8Array(await readFile(path));
}
