/**
 * Deleting a torrent's data (`session.removeTorrent(hash, { deleteData: true })`): its own files, its part file,
 * and the folders below the save path that they leave empty. Nothing else is touched: only paths the torrent
 * names (already sanitised, and checked again by the storage to stay inside the save path) are removed.
 */
import type { Storage } from '../platform/storage.js';
import { FileLayout } from './file-layout.js';
import { PartFile } from './part-file.js';
import type { PieceStorageFile } from './piece-storage.js';

export interface DeletableTorrent {
  readonly infoHashHex: string;
  readonly pieceLength: number;
  readonly files: readonly (PieceStorageFile & { readonly offset: number })[];
}

export async function deleteTorrentData(
  storage: Storage,
  root: string,
  torrent: DeletableTorrent,
): Promise<void> {
  const layout = new FileLayout(torrent.files, torrent.pieceLength);
  const specs = torrent.files.map((f) => ({ path: f.path, length: f.length, padding: f.padding }));
  const partSpec = PartFile.spec(torrent.infoHashHex, layout);
  const files = await storage.open(root, partSpec ? [...specs, partSpec] : specs);
  try {
    for (let index = 0; index < specs.length + (partSpec ? 1 : 0); index++) {
      if (!specs[index]?.padding) await files.remove(index);
    }
  } finally {
    await files.close();
  }
}
