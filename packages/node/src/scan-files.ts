/**
 * Finding the files to put in a new torrent (BEP 3 single- or multi-file layout) and reading their bytes for
 * hashing. A file gives a single-file torrent; a directory is walked recursively, sorted by path so the same
 * tree always gives the same torrent. Symbolic links inside the tree are skipped, never followed: a link could
 * point anywhere (`/etc`, or a loop), and what a torrent holds should be what the directory holds.
 */
import type { Dirent } from 'node:fs';
import { type FileHandle, lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BitloomError } from '@bitloom/engine';

/**
 * Codes of {@link ScanError}:
 * - `SCAN_NOT_FOUND` the path does not exist or cannot be read
 * - `SCAN_UNSUPPORTED` the path is neither a regular file nor a directory (socket, device, …)
 * - `SCAN_EMPTY` the directory holds no regular file
 */
export type ScanErrorCode = 'SCAN_NOT_FOUND' | 'SCAN_UNSUPPORTED' | 'SCAN_EMPTY';

/** Scanning the input of a new torrent failed. The `fs` error, if any, is the `cause`. */
export class ScanError extends BitloomError {
  declare readonly code: ScanErrorCode;

  constructor(code: ScanErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ScanError';
  }
}

/** One file found by {@link scanPath}. */
export interface ScannedFile {
  /** `[name]` for a single file, `[name, ...below]` inside a directory: the shape createTorrent takes. */
  readonly path: string[];
  readonly length: number;
  readonly absolutePath: string;
}

/** What {@link scanPath} found: the torrent name (the base name of the path) and its files, sorted by path. */
export interface ScanResult {
  readonly name: string;
  readonly files: ScannedFile[];
}

/** Orders paths segment by segment, so `a/b` sorts before `a-b` the same way on every platform. */
function comparePaths(a: readonly string[], b: readonly string[]): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Scans a file or a directory for createTorrent. The path itself may be a symbolic link (the user named it);
 * links found inside a directory are skipped.
 *
 * @throws ScanError when the path is missing, not a file or directory, or a directory without files.
 */
export async function scanPath(path: string): Promise<ScanResult> {
  const root = resolve(path);
  const name = basename(root);
  const rootStats = await stat(root).catch((error: unknown) => {
    throw new ScanError('SCAN_NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  if (name === '') throw new ScanError('SCAN_UNSUPPORTED', `${path} has no name to give the torrent`);
  if (rootStats.isFile())
    return { name, files: [{ path: [name], length: rootStats.size, absolutePath: root }] };
  if (!rootStats.isDirectory())
    throw new ScanError('SCAN_UNSUPPORTED', `${path} is not a file or a directory`);

  const files: ScannedFile[] = [];
  // An explicit stack instead of recursion: deep trees cannot overflow the call stack.
  const pending: { absolute: string; segments: string[] }[] = [{ absolute: root, segments: [name] }];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(folder.absolute, { withFileTypes: true });
    } catch (error) {
      throw new ScanError('SCAN_NOT_FOUND', `cannot read ${folder.absolute}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const entry of entries) {
      const absolute = join(folder.absolute, entry.name);
      const segments = [...folder.segments, entry.name];
      if (entry.isDirectory()) pending.push({ absolute, segments });
      else if (entry.isFile())
        files.push({ path: segments, length: (await lstat(absolute)).size, absolutePath: absolute });
      // Symbolic links, sockets, FIFOs and devices are not content.
    }
  }
  if (files.length === 0) throw new ScanError('SCAN_EMPTY', `${path} holds no files`);
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { name, files };
}

/** Reads up to `length` bytes at `position` from an open file; fewer only when the file ends first. */
async function readFully(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Reads `length` bytes at `position` with positional reads. Returns fewer bytes only when the file is
 * shorter than `position + length` (e.g. it shrank since it was scanned).
 */
export async function readFileRange(
  absolutePath: string,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const handle = await open(absolutePath, 'r');
  try {
    return await readFully(handle, position, length);
  } finally {
    await handle.close();
  }
}

/** A reader that keeps the last few files open, for hashing many pieces of the same file in order. */
export interface FileRangeReader {
  /** Like {@link readFileRange}, reusing an open file when it can. */
  read(absolutePath: string, position: number, length: number): Promise<Uint8Array>;
  /** Closes every file it keeps open. */
  close(): Promise<void>;
}

/** Creates a {@link FileRangeReader} keeping at most `maxOpenFiles` files open (least recently used closed first). */
export function createFileRangeReader(maxOpenFiles = 4): FileRangeReader {
  interface OpenFile {
    readonly handle: Promise<FileHandle>;
    /** Reads in progress: an evicted file is closed only when the last one ends. */
    users: number;
    evicted: boolean;
  }
  const closeFile = (file: OpenFile): Promise<void> =>
    file.handle.then((handle) => handle.close()).catch(() => undefined);
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  const openFiles = new Map<string, OpenFile>();

  const acquire = (absolutePath: string): OpenFile => {
    let file = openFiles.get(absolutePath);
    if (file !== undefined) {
      openFiles.delete(absolutePath);
    } else {
      file = { handle: open(absolutePath, 'r'), users: 0, evicted: false };
      const opened = file;
      // A failed open is not kept.
      opened.handle.catch(() => {
        if (openFiles.get(absolutePath) === opened) openFiles.delete(absolutePath);
      });
    }
    openFiles.set(absolutePath, file);
    while (openFiles.size > maxOpenFiles) {
      const [oldestPath, oldest] = openFiles.entries().next().value!;
      openFiles.delete(oldestPath);
      oldest.evicted = true;
      if (oldest.users === 0) void closeFile(oldest);
    }
    return file;
  };

  return {
    async read(absolutePath, position, length) {
      const file = acquire(absolutePath);
      file.users++;
      try {
        return await readFully(await file.handle, position, length);
      } finally {
        file.users--;
        if (file.evicted && file.users === 0) await closeFile(file);
      }
    },
    async close() {
      const files = [...openFiles.values()];
      openFiles.clear();
      for (const file of files) file.evicted = true;
      await Promise.all(files.filter((file) => file.users === 0).map(closeFile));
    },
  };
}
