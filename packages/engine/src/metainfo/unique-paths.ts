/**
 * Two files of a torrent must never land on the same path after sanitising (BEP 3 does not forbid duplicate
 * paths, and `a/b` vs `a\b`, `CON` vs `con_`, or `x` vs `X` on a case-insensitive disk collide once made safe).
 * Nor may a file take the place of a folder another file needs (`a` and `a/b`). Later files are renamed with
 * a numeric suffix before the extension (`name.1.ext`), the scheme libtorrent uses.
 */
import { MAX_PATH_ELEMENT_BYTES, shortenName, utf8ByteLength } from './file-path.js';

/**
 * How two names are compared: case-insensitively and after Unicode normalisation, because Windows and macOS
 * treat `A.txt`, `a.txt` and a decomposed `é` as one file.
 */
function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * Numbers folders so a path's key is `<parent folder id>/<name key>`: keys stay short however deep the tree,
 * and a hostile torrent of 64-deep paths costs linear, not quadratic, time.
 */
class FolderIds {
  readonly #ids = new Map<string, number>();

  /** The id of the folder holding `path`'s last element, registering folders on the way when `create`. */
  parentOf(path: readonly string[], create: boolean): number | undefined {
    let id = 0; // the download directory
    for (let depth = 0; depth < path.length - 1; depth++) {
      const key = `${id}/${nameKey(path[depth]!)}`;
      let child = this.#ids.get(key);
      if (child === undefined) {
        if (!create) return undefined;
        child = this.#ids.size + 1;
        this.#ids.set(key, child);
      }
      id = child;
    }
    return id;
  }

  has(key: string): boolean {
    return this.#ids.has(key);
  }
}

/** `movie.mkv` + 2 → `movie.2.mkv`, shortened so the result still fits one path element. */
function withSuffix(name: string, suffix: number): string {
  const marker = `.${suffix}`;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  const room = MAX_PATH_ELEMENT_BYTES - utf8ByteLength(marker);
  if (utf8ByteLength(stem + extension) <= room) return stem + marker + extension;
  const shortened = shortenName(stem + extension, room);
  const shortDot = shortened.lastIndexOf('.');
  return shortDot > 0 && extension !== ''
    ? shortened.slice(0, shortDot) + marker + shortened.slice(shortDot)
    : shortened + marker;
}

/**
 * Returns the paths with collisions resolved, in the same order. `undefined` entries (padding files, which
 * are never written) are passed through and take no part. The first file keeps its name; folders are never
 * renamed, so every file of one folder stays together.
 */
export function makePathsUnique(
  paths: readonly (readonly string[] | undefined)[],
): (readonly string[] | undefined)[] {
  const folders = new FolderIds();
  for (const path of paths) if (path !== undefined) folders.parentOf(path, true);
  const fileKeys = new Set<string>();
  // Next suffix to try per colliding path, so many duplicates of one name cost linear, not quadratic, time.
  const nextSuffix = new Map<string, number>();
  return paths.map((path) => {
    if (path === undefined) return undefined;
    const parent = folders.parentOf(path, false)!;
    const name = path[path.length - 1]!;
    const originalKey = `${parent}/${nameKey(name)}`;
    let candidate = path;
    let key = originalKey;
    while (fileKeys.has(key) || folders.has(key)) {
      const suffix = nextSuffix.get(originalKey) ?? 1;
      nextSuffix.set(originalKey, suffix + 1);
      const renamed = withSuffix(name, suffix);
      candidate = [...path.slice(0, -1), renamed];
      key = `${parent}/${nameKey(renamed)}`;
    }
    fileKeys.add(key);
    return candidate;
  });
}
