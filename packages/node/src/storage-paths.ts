/**
 * Where a torrent's file lives on disk. The metainfo parser already sanitised each path element (BEP 3 `path`
 * lists come from untrusted torrents); this is the second line of defence: the joined path must resolve strictly
 * inside the torrent's root, or the file is refused.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StorageError } from './errors.js';

/** The absolute path of `segments` below `root`; throws `STORAGE_PATH_ESCAPE` / `STORAGE_BAD_SPEC`. */
export function resolveInsideRoot(root: string, segments: readonly string[]): string {
  if (segments.length === 0) {
    throw new StorageError('STORAGE_BAD_SPEC', 'file path has no segments');
  }
  for (const segment of segments) {
    if (typeof segment !== 'string' || segment.length === 0 || segment.includes('\0')) {
      throw new StorageError(
        'STORAGE_BAD_SPEC',
        `file path segment ${JSON.stringify(segment)} is not a name`,
      );
    }
  }
  const absoluteRoot = resolve(root);
  const filePath = join(absoluteRoot, ...segments);
  const inside = relative(absoluteRoot, filePath);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new StorageError(
      'STORAGE_PATH_ESCAPE',
      `file path ${JSON.stringify(segments.join('/'))} leaves ${root}`,
    );
  }
  return filePath;
}
