/**
 * What `session.add()` accepts, turned into an info dictionary or a magnet link: the bytes of a .torrent file, a
 * magnet URI, a path to a .torrent file (when the session was given a way to read files, as `@bitloom/node`'s
 * `createSession` does), or an already parsed info dictionary or magnet link.
 */
import { BitloomError } from '../errors.js';
import { type MagnetLink, parseMagnet } from '../magnet/index.js';
import { type InfoDictionary, parseTorrent } from '../metainfo/index.js';
import type { Hasher } from '../platform/hasher.js';

export type TorrentSource = Uint8Array | string | InfoDictionary | MagnetLink;

/** Reads a .torrent file by path (bounded by the caller; the parser checks the size again). */
export type ReadTorrentFile = (path: string) => Promise<Uint8Array>;

export async function resolveTorrentSource(
  source: TorrentSource,
  hasher: Hasher,
  readTorrentFile: ReadTorrentFile | undefined,
): Promise<{ readonly info: InfoDictionary } | { readonly link: MagnetLink }> {
  if (source instanceof Uint8Array) return { info: await parseTorrent(source, hasher) };
  if (typeof source === 'string') {
    if (/^magnet:/i.test(source)) return { link: parseMagnet(source) };
    if (!readTorrentFile) {
      throw new BitloomError(
        'SESSION_BAD_SOURCE',
        'not a magnet link, and this session cannot read files: pass the .torrent file’s bytes',
      );
    }
    return { info: await parseTorrent(await readTorrentFile(source), hasher) };
  }
  if ('pieceHashes' in source) return { info: source };
  return { link: source };
}
