/**
 * Torrent files on the local file system: positional reads and writes through `fs/promises` file handles from a
 * shared, bounded open-file pool. Files and their folders are created on first write and sized to their torrent
 * length then (sparse `ftruncate`; nothing is ever shrunk by reading), except `grows` files (the part file), which
 * are as long as what was written. BEP 47 padding files are never created and read as zeros. Failures are
 * `StorageError`s with the system error as `cause`.
 *
 * Writes go to the kernel from one writer thread, in order: whole aligned blocks of large writes straight to the
 * disk (`O_DIRECT`), the rest in small calls (file-writer-thread.ts says why); so writes to one file never
 * overlap (ext4 and xfs would serialise them on the inode's lock anyway: libuv threads waiting on it spun, 9% of
 * a 1 GiB download's CPU time in `perf`). That thread also hashes the pieces the engine hands over with their
 * expected SHA-1 (`writeVerified`). Reads run in parallel.
 */
import { Buffer } from 'node:buffer';
import { rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Hasher, Storage, StorageFileSpec, TorrentFiles, VerifiedWrite } from '@bitloom/engine';
import { StorageError, type StorageErrorCode, storageErrorFromSystem } from './errors.js';
import { FileWriterThread } from './file-writer-thread.js';
import { FileSlot, OpenFileCache } from './open-file-cache.js';
import { resolveInsideRoot } from './storage-paths.js';
import { sha1Inline } from './worker-hasher.js';

/** Node caps one read or write call at 2 GiB - 1; larger transfers are split. */
const MAX_IO_CHUNK = 1 << 30;

export interface FileStorageOptions {
  /**
   * Most file handles kept open at once across all torrents (default 256). Pieces arrive in no file order, so a
   * torrent of more files than handles opens and closes them over and over: 200 files through 64 handles took
   * 410-448 opens, and 256 handles saved scenario 2 0.06 CPU s (1.90 vs 1.96, 5 runs each, every one lower).
   */
  maxOpenFiles?: number;
  /** Hashes pieces for `writeVerified` while the writer thread is behind (see `FileWriterThreadOptions`). */
  hasher?: Hasher;
  /** Large writes skip the page cache (`O_DIRECT`) where the file system allows; default true. */
  directWrites?: boolean;
}

/** The `Storage` of the Node platform. One instance, one open-file pool, shared by every torrent. */
export class FileStorage implements Storage {
  readonly #cache: OpenFileCache;
  readonly #writer: FileWriterThread;
  readonly #openTorrents = new Set<FileTorrentFiles>();

  constructor(options: FileStorageOptions = {}) {
    this.#cache = new OpenFileCache(options.maxOpenFiles ?? 256);
    this.#writer = new FileWriterThread({
      ...(options.hasher && { hasher: options.hasher }),
      ...(options.directWrites !== undefined && { directWrites: options.directWrites }),
    });
  }

  /** Bytes written past the page cache (`O_DIRECT`) so far. */
  get directBytes(): number {
    return this.#writer.directBytes;
  }

  /** File handles open right now (for diagnostics and tests of the pool bound). */
  get openHandles(): number {
    return this.#cache.openHandles;
  }

  /**
   * Checks every path (inside `root`, no duplicates) and lengths; creates nothing. Rejects with
   * `STORAGE_PATH_ESCAPE` or `STORAGE_BAD_SPEC`.
   */
  async open(root: string, files: readonly StorageFileSpec[]): Promise<TorrentFiles> {
    const slots: (FileSlot | undefined)[] = [];
    const seen = new Set<string>();
    for (const spec of files) {
      if (!Number.isSafeInteger(spec.length) || spec.length < 0) {
        throw new StorageError('STORAGE_BAD_SPEC', `file length ${spec.length} is not a byte count`);
      }
      const filePath = resolveInsideRoot(root, spec.path);
      if (spec.padding) {
        slots.push(undefined);
        continue;
      }
      if (seen.has(filePath))
        throw new StorageError('STORAGE_BAD_SPEC', `two files share the path ${filePath}`);
      seen.add(filePath);
      const slot = new FileSlot(filePath, spec.length);
      if (spec.grows) slot.sized = true; // never preallocated
      slots.push(slot);
    }
    const torrentFiles = new FileTorrentFiles(
      this.#cache,
      this.#writer,
      resolve(root),
      files,
      slots,
      (closed) => this.#openTorrents.delete(closed),
    );
    this.#openTorrents.add(torrentFiles);
    return torrentFiles;
  }

  /** Closes the files of every torrent still open, then stops the writer thread. */
  async close(): Promise<void> {
    await Promise.all([...this.#openTorrents].map((torrentFiles) => torrentFiles.close()));
    await this.#writer.close();
  }
}

class FileTorrentFiles implements TorrentFiles {
  readonly #cache: OpenFileCache;
  readonly #writer: FileWriterThread;
  readonly #root: string;
  readonly #specs: readonly StorageFileSpec[];
  /** One slot per file; undefined for padding files. */
  readonly #slots: readonly (FileSlot | undefined)[];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #onClosed: (files: FileTorrentFiles) => void;
  #closing: Promise<void> | undefined;

  constructor(
    cache: OpenFileCache,
    writer: FileWriterThread,
    root: string,
    specs: readonly StorageFileSpec[],
    slots: readonly (FileSlot | undefined)[],
    onClosed: (files: FileTorrentFiles) => void,
  ) {
    this.#cache = cache;
    this.#writer = writer;
    this.#root = root;
    this.#specs = specs;
    this.#slots = slots;
    this.#onClosed = onClosed;
  }

  read(fileIndex: number, position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    return this.#run(async () => {
      const slot = this.#checkRange(fileIndex, position, length);
      if (into !== undefined && into.length < length) {
        throw new StorageError('STORAGE_OUT_OF_BOUNDS', `read of ${length} bytes into ${into.length}`);
      }
      const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
      if (slot === undefined) return out.fill(0); // padding reads as zeros
      try {
        return await this.#cache.withHandle(slot, 'read', async (handle) => {
          let done = 0;
          while (done < length) {
            const chunk = Math.min(length - done, MAX_IO_CHUNK);
            const { bytesRead } = await handle.read(out, done, chunk, position + done);
            if (bytesRead === 0) {
              throw new StorageError(
                'STORAGE_SHORT_READ',
                `read ${slot.path}: file ends before byte ${position + length} (got ${done} of ${length} bytes)`,
              );
            }
            done += bytesRead;
          }
          return out;
        });
      } catch (error) {
        throw asStorageError(error, 'read', slot.path, 'STORAGE_MISSING');
      }
    });
  }

  write(fileIndex: number, position: number, data: Uint8Array): Promise<void> {
    return this.#writeWith(fileIndex, position, data.byteLength, (fd) =>
      this.#writer.write(fd, data, position),
    ).then(() => {});
  }

  prepareWrites(): void {
    this.#writer.prepare();
  }

  /** `write`, moving `data`'s buffer to the writer thread and back (see `TorrentFiles.writeMoving`). */
  writeMoving(fileIndex: number, position: number, data: Uint8Array): Promise<Uint8Array> {
    return this.#writeWith(fileIndex, position, data.byteLength, (fd) =>
      this.#writer.writeMoving(fd, data, position),
    ).then((back) => back ?? data);
  }

  /** Hashes on the writer thread, then writes if the digest matches (see `TorrentFiles.writeVerified`). */
  writeVerified(
    fileIndex: number,
    position: number,
    data: Uint8Array,
    sha1: Uint8Array,
  ): Promise<VerifiedWrite> {
    return this.#writeWith(fileIndex, position, data.byteLength, (fd) =>
      this.#writer.writeVerified(fd, data, position, sha1),
    ).then((done) => done ?? { written: Buffer.compare(sha1Inline(data), sha1) === 0, data }); // padding: nothing to write
  }

  /** Runs `job` with the file's descriptor open for writing; undefined for padding, which is never created. */
  #writeWith<T>(
    fileIndex: number,
    position: number,
    length: number,
    job: (fd: number) => Promise<T>,
  ): Promise<T | undefined> {
    return this.#run(async () => {
      const slot = this.#checkRange(fileIndex, position, length);
      if (slot === undefined) return undefined;
      try {
        return await this.#cache.withHandle(slot, 'write', (handle) => job(handle.fd));
      } catch (error) {
        throw asStorageError(error, 'write', slot.path, 'STORAGE_IO');
      }
    });
  }

  /** Size on disk, -1 when missing (always for padding files, which are never created). */
  size(fileIndex: number): Promise<number> {
    return this.#run(async () => {
      this.#spec(fileIndex);
      const slot = this.#slots[fileIndex];
      if (slot === undefined) return -1;
      try {
        const stats = await stat(slot.path);
        return stats.isFile() ? stats.size : -1;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return -1;
        throw asStorageError(error, 'stat', slot.path, 'STORAGE_IO');
      }
    });
  }

  /** Closes the file's handle, unlinks it, then removes the folders below the root that it leaves empty. */
  remove(fileIndex: number): Promise<void> {
    return this.#run(async () => {
      const spec = this.#spec(fileIndex);
      const slot = this.#slots[fileIndex];
      if (slot === undefined) return;
      await this.#cache.closeSlots([slot]);
      slot.syncError = undefined;
      slot.sized = spec.grows === true;
      try {
        await unlink(slot.path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR')
          throw asStorageError(error, 'unlink', slot.path, 'STORAGE_IO');
      }
      const below = this.#root.endsWith(sep) ? this.#root : `${this.#root}${sep}`;
      for (let folder = dirname(slot.path); folder.startsWith(below); folder = dirname(folder)) {
        try {
          await rmdir(folder);
        } catch {
          break; // not empty (or already gone): the folders above are not empty either
        }
      }
    });
  }

  /** Last modification in whole milliseconds, -1 when missing (resume data compares it). */
  modifiedTime(fileIndex: number): Promise<number> {
    return this.#run(async () => {
      this.#spec(fileIndex);
      const slot = this.#slots[fileIndex];
      if (slot === undefined) return -1;
      try {
        const stats = await stat(slot.path);
        return stats.isFile() ? Math.floor(stats.mtimeMs) : -1;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return -1;
        throw asStorageError(error, 'stat', slot.path, 'STORAGE_IO');
      }
    });
  }

  /** Fsyncs every file written since the last flush (also those whose handle was closed meanwhile). */
  flush(): Promise<void> {
    return this.#run(async () => {
      try {
        await this.#cache.flush(this.#fileSlots());
      } catch (error) {
        throw asStorageError(error, 'fsync', 'torrent files', 'STORAGE_IO');
      }
    });
  }

  /** Waits for in-flight operations, fsyncs what was written, closes the handles. Later calls reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled(this.#inFlight);
      this.#onClosed(this);
      await this.#cache.closeSlots(this.#fileSlots());
    })();
    return this.#closing;
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      return Promise.reject(new StorageError('STORAGE_CLOSED', 'the torrent files are closed'));
    }
    const running = operation();
    this.#inFlight.add(running);
    void running.then(
      () => this.#inFlight.delete(running),
      () => this.#inFlight.delete(running),
    );
    return running;
  }

  #spec(fileIndex: number): StorageFileSpec {
    const spec = Number.isInteger(fileIndex) ? this.#specs[fileIndex] : undefined;
    if (spec === undefined) {
      throw new StorageError('STORAGE_OUT_OF_BOUNDS', `file index ${fileIndex} out of range`);
    }
    return spec;
  }

  /** Validates an I/O range against the file's torrent length; returns the slot (undefined for padding). */
  #checkRange(fileIndex: number, position: number, length: number): FileSlot | undefined {
    const spec = this.#spec(fileIndex);
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
      throw new StorageError('STORAGE_OUT_OF_BOUNDS', `bad range: position ${position}, length ${length}`);
    }
    if (position + length > spec.length) {
      throw new StorageError(
        'STORAGE_OUT_OF_BOUNDS',
        `range ${position}+${length} passes the end of file ${fileIndex} (${spec.length} bytes)`,
      );
    }
    return this.#slots[fileIndex];
  }

  *#fileSlots(): Iterable<FileSlot> {
    for (const slot of this.#slots) if (slot !== undefined) yield slot;
  }
}

function asStorageError(
  error: unknown,
  operation: string,
  filePath: string,
  missingCode: StorageErrorCode,
): StorageError {
  return error instanceof StorageError
    ? error
    : storageErrorFromSystem(error, operation, filePath, missingCode);
}
