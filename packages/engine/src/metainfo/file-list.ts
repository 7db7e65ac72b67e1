/**
 * The file list of a v1 info dictionary (BEP 3): one file (`length`) or many (`files`, each with `length`,
 * `path` and optionally `attr`, where `p` marks a BEP 47 padding file). Lengths are bounded and summed into
 * byte offsets; paths are sanitised (file-path.ts) and made unique (unique-paths.ts).
 */
import {
  type BencodeDict,
  type BencodeValue,
  isBytes,
  isDict,
  isList,
  utf8Decode,
} from '../bencode/index.js';
import { neutralizeControlChars, sanitizePath } from './file-path.js';
import type { MetainfoLimits } from './limits.js';
import { MetainfoError } from './metainfo-error.js';
import { makePathsUnique } from './unique-paths.js';

/** One file of a torrent. */
export interface TorrentFile {
  /** Position in the torrent's file list (what `--select` and storage use). */
  readonly index: number;
  /**
   * Sanitised path segments, safe to join below the download directory. Multi-file torrents start with the
   * torrent name (`[name, ...path]`); a single-file torrent is `[name]`.
   */
  readonly path: readonly string[];
  /** The path as the torrent wrote it, `/`-joined, with control characters neutralised: for display only. */
  readonly displayPath: string;
  readonly length: number;
  /** Byte offset of the file inside the torrent's concatenated data. */
  readonly offset: number;
  /** BEP 47 padding file (`attr` contains `p`): its bytes are zeros and it is never written. */
  readonly padding: boolean;
}

/** The file list and what is derived from it. */
export interface TorrentFileList {
  readonly files: readonly TorrentFile[];
  readonly totalLength: number;
  readonly multiFile: boolean;
}

/** A file length: a non-negative safe integer (bigint lengths beyond 2^53 are refused, not rounded). */
function readLength(value: BencodeValue | undefined, where: string): number {
  if (typeof value === 'bigint') {
    throw new MetainfoError('METAINFO_BAD_LENGTH', `${where}: length ${value} is too large`);
  }
  if (typeof value !== 'number') throw new MetainfoError('METAINFO_INVALID', `${where}: length is missing`);
  if (value < 0) throw new MetainfoError('METAINFO_BAD_LENGTH', `${where}: length ${value} is negative`);
  return value;
}

/** The raw path elements of one `files` entry, preferring `path.utf-8` (older clients wrote `path` in a codepage). */
function readRawPath(entry: BencodeDict, where: string, limits: MetainfoLimits): string[] {
  const utf8Path = entry.get('path.utf-8');
  const path =
    isList(utf8Path) && utf8Path.length > 0 && utf8Path.every(isBytes) ? utf8Path : entry.get('path');
  if (!isList(path) || path.length === 0) {
    throw new MetainfoError('METAINFO_BAD_PATH', `${where}: path is missing or empty`);
  }
  if (path.length > limits.maxPathDepth) {
    throw new MetainfoError(
      'METAINFO_PATH_TOO_DEEP',
      `${where}: path has ${path.length} elements, more than the limit of ${limits.maxPathDepth}`,
    );
  }
  return path.map((element) => {
    if (!isBytes(element))
      throw new MetainfoError('METAINFO_BAD_PATH', `${where}: a path element is not a string`);
    return utf8Decode(element);
  });
}

function isPaddingAttr(entry: BencodeDict): boolean {
  const attr = entry.get('attr');
  return isBytes(attr) && attr.includes(0x70 /* 'p' */);
}

function addLength(total: number, length: number): number {
  const sum = total + length;
  if (!Number.isSafeInteger(sum)) {
    throw new MetainfoError('METAINFO_BAD_LENGTH', 'the total length of the files is too large');
  }
  return sum;
}

/**
 * Reads the file list of `info`. `name` is the sanitised torrent name, `rawName` the name as written (for
 * display paths).
 */
export function readFileList(
  info: BencodeDict,
  name: string,
  rawName: string,
  limits: MetainfoLimits,
): TorrentFileList {
  const filesValue = info.get('files');
  const lengthValue = info.get('length');
  if (filesValue !== undefined && lengthValue !== undefined) {
    throw new MetainfoError('METAINFO_INVALID', 'the info dictionary has both `length` and `files`');
  }
  if (filesValue === undefined) {
    const length = readLength(lengthValue, 'single-file torrent');
    const file: TorrentFile = {
      index: 0,
      path: [name],
      displayPath: neutralizeControlChars(rawName),
      length,
      offset: 0,
      padding: false,
    };
    return { files: [file], totalLength: length, multiFile: false };
  }

  if (!isList(filesValue)) throw new MetainfoError('METAINFO_INVALID', '`files` is not a list');
  if (filesValue.length === 0) throw new MetainfoError('METAINFO_INVALID', '`files` is empty');
  if (filesValue.length > limits.maxFiles) {
    throw new MetainfoError(
      'METAINFO_TOO_MANY_FILES',
      `the torrent has ${filesValue.length} files, more than the limit of ${limits.maxFiles}`,
    );
  }

  const entries: { length: number; offset: number; padding: boolean; rawPath: string[] }[] = [];
  let totalLength = 0;
  filesValue.forEach((entry, index) => {
    const where = `file ${index}`;
    if (!isDict(entry)) throw new MetainfoError('METAINFO_INVALID', `${where} is not a dictionary`);
    const length = readLength(entry.get('length'), where);
    const rawPath = readRawPath(entry, where, limits);
    entries.push({ length, offset: totalLength, padding: isPaddingAttr(entry), rawPath });
    totalLength = addLength(totalLength, length);
  });

  const sanitised = new Map<string, string | undefined>();
  const sanitisedPaths = entries.map((entry) => {
    const safe = sanitizePath(entry.rawPath, sanitised);
    // Every element was `.`, `..` or empty: keep the file under a neutral name rather than reject the torrent.
    return [name, ...(safe.length > 0 ? safe : ['_'])];
  });
  // Padding files are never written, so they take no part in collisions.
  const uniquePaths = makePathsUnique(
    sanitisedPaths.map((path, index) => (entries[index]!.padding ? undefined : path)),
  );

  const files = entries.map(
    (entry, index): TorrentFile => ({
      index,
      path: uniquePaths[index] ?? sanitisedPaths[index]!,
      displayPath: neutralizeControlChars([rawName, ...entry.rawPath].join('/')),
      length: entry.length,
      offset: entry.offset,
      padding: entry.padding,
    }),
  );
  return { files, totalLength, multiFile: true };
}
