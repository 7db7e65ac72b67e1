/**
 * Storage in memory (the engine's `Storage`), with the semantics of a file storage — a file exists after its
 * first write and grows with what is written (as a `grows` file would on disk), reads past its end reject, BEP 47
 * padding files are never created and read as zeros, `remove` forgets a file — plus fault
 * injection for tests: failing writes (a full disk), flipped bytes (bit rot), truncated files, and inspection of
 * the files.
 * Error codes match the Node file storage (`STORAGE_MISSING`, `STORAGE_SHORT_READ`, …).
 */
import { BitloomError, type Storage, type StorageFileSpec, type TorrentFiles } from '@bitloom/engine';
import { moved } from './moved-bytes.js';
import { sha1Sync } from './test-hasher.js';

function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** One file's bytes; `length` is the file's size, `bytes` may be larger (spare capacity). */
interface StoredFile {
  bytes: Uint8Array;
  length: number;
  /** A stand-in for the modification time: a storage-wide counter, bumped by every write. */
  mtime: number;
}

function storageError(code: string, message: string): BitloomError {
  return new BitloomError(code, message);
}

function fileKey(root: string, spec: StorageFileSpec): string {
  return [root, ...spec.path].join('/');
}

/** Operations held until released (a slow disk); a new hold replaces the one before. */
class Hold {
  #pending: Promise<void> | undefined;

  get pending(): Promise<void> | undefined {
    return this.#pending;
  }

  start(): () => void {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#pending = held;
    return () => {
      if (this.#pending === held) this.#pending = undefined;
      release();
    };
  }
}

/** An in-memory `Storage`. Files are kept per `root + path`, so re-opening a torrent sees its earlier data. */
export class MemoryStorage implements Storage {
  readonly #files = new Map<string, StoredFile>();
  readonly #opened: { root: string; files: readonly StorageFileSpec[] }[] = [];
  #writeFailure: string | undefined;
  #readFailure: string | undefined;
  #writeCount = 0;
  /** While set, writes wait for it (a disk that has stalled). */
  readonly #writesHold = new Hold();
  readonly #flushesHold = new Hold();
  /** Counts of operations, for tests that assert on I/O. */
  readonly stats = { reads: 0, writes: 0, flushes: 0, bytesWritten: 0, writePrepares: 0, verifiedWrites: 0 };
  /** Its files offer `writeVerified` (hash, then write if the digest matches), as Node's file storage does. */
  readonly hashesWrites: boolean;

  constructor(options: { hashesWrites?: boolean } = {}) {
    this.hashesWrites = options.hashesWrites ?? false;
  }

  async open(root: string, files: readonly StorageFileSpec[]): Promise<TorrentFiles> {
    for (const spec of files) {
      if (!Number.isSafeInteger(spec.length) || spec.length < 0 || spec.path.length === 0) {
        throw storageError('STORAGE_BAD_SPEC', `bad file spec ${JSON.stringify(spec)}`);
      }
    }
    const specs = files.map((spec) => ({ ...spec, path: [...spec.path] }));
    this.#opened.push({ root, files: specs });
    return new MemoryTorrentFiles(this, root, specs);
  }

  /** Makes every later write reject with a `BitloomError` of this code (e.g. `STORAGE_DISK_FULL`); null heals. */
  failWritesWith(code: string | null): void {
    this.#writeFailure = code ?? undefined;
  }

  /** Stalls writes (a slow disk): each write, current and later, waits until the returned function is called. */
  holdWrites(): () => void {
    return this.#writesHold.start();
  }

  /** Stalls flushes (a slow fsync): each flush, current and later, waits until the returned function is called. */
  holdFlushes(): () => void {
    return this.#flushesHold.start();
  }

  /** Resolves when writes may go on (at once unless `holdWrites` is in force). */
  get writesHeld(): Promise<void> | undefined {
    return this.#writesHold.pending;
  }

  /** Resolves when flushes may go on (at once unless `holdFlushes` is in force). */
  get flushesHeld(): Promise<void> | undefined {
    return this.#flushesHold.pending;
  }

  /** Makes every later read reject with a `BitloomError` of this code (e.g. `STORAGE_IO`); null heals. */
  failReadsWith(code: string | null): void {
    this.#readFailure = code ?? undefined;
  }

  /**
   * Flips every bit of the byte at `position` of file `fileIndex` — of `root`'s torrent, or of the only torrent
   * opened so far. Throws if that byte was never written.
   */
  corrupt(fileIndex: number, position: number, root?: string): void {
    const file = this.#openedFile(fileIndex, root, 'corrupt');
    if (file === undefined || position < 0 || position >= file.length) {
      throw storageError('STORAGE_OUT_OF_BOUNDS', `corrupt(): file ${fileIndex} has no byte ${position}`);
    }
    file.bytes[position] = file.bytes[position]! ^ 0xff;
  }

  /**
   * Cuts file `fileIndex` (of `root`'s torrent, or of the only torrent opened so far) to `length` bytes, as a
   * user or another program truncating it would. Throws if the file was never written or is shorter already.
   */
  truncate(fileIndex: number, length: number, root?: string): void {
    const file = this.#openedFile(fileIndex, root, 'truncate');
    if (file === undefined || length < 0 || length > file.length) {
      throw storageError('STORAGE_OUT_OF_BOUNDS', `truncate(): file ${fileIndex} cannot be cut to ${length}`);
    }
    file.length = length;
    file.mtime = this.nextWrite();
  }

  /** Deletes file `fileIndex` (of `root`'s torrent, or of the only one opened) behind the engine's back. */
  removeFile(fileIndex: number, root?: string): void {
    const { key } = this.#locate(fileIndex, root);
    this.#files.delete(key);
  }

  /** Internal: the next modification stamp. */
  nextWrite(): number {
    return ++this.#writeCount;
  }

  #locate(fileIndex: number, root: string | undefined): { key: string; file: StoredFile | undefined } {
    const candidates = this.#opened.filter((t) => root === undefined || t.root === root);
    const roots = new Set(candidates.map((t) => t.root));
    const spec = candidates[0]?.files[fileIndex];
    if (roots.size !== 1 || spec === undefined) {
      throw storageError('STORAGE_BAD_SPEC', `no single torrent with a file ${fileIndex} (name the root)`);
    }
    const key = fileKey(candidates[0]!.root, spec);
    return { key, file: this.#files.get(key) };
  }

  /** A snapshot of every stored file: `root/path/segments` → a copy of its contents. */
  files(): Map<string, Uint8Array> {
    const snapshot = new Map<string, Uint8Array>();
    for (const [key, file] of this.#files) snapshot.set(key, file.bytes.slice(0, file.length));
    return snapshot;
  }

  #openedFile(fileIndex: number, root: string | undefined, what: string): StoredFile | undefined {
    const candidates = this.#opened.filter((t) => root === undefined || t.root === root);
    const roots = new Set(candidates.map((t) => t.root));
    if (roots.size !== 1) {
      throw storageError('STORAGE_BAD_SPEC', `${what}(): name the root, ${roots.size} torrents match`);
    }
    const spec = candidates[0]!.files[fileIndex];
    return spec === undefined ? undefined : this.#files.get(fileKey(candidates[0]!.root, spec));
  }

  /** Internal to MemoryTorrentFiles: the stored file, if written. */
  fileAt(root: string, spec: StorageFileSpec): StoredFile | undefined {
    return this.#files.get(fileKey(root, spec));
  }

  /** Internal to MemoryTorrentFiles: forgets the stored file. */
  deleteFile(root: string, spec: StorageFileSpec): void {
    this.#files.delete(fileKey(root, spec));
  }

  /** Internal to MemoryTorrentFiles: the stored file, created empty on first write. */
  createFile(root: string, spec: StorageFileSpec): StoredFile {
    const key = fileKey(root, spec);
    let file = this.#files.get(key);
    if (file === undefined) {
      file = { bytes: new Uint8Array(0), length: 0, mtime: 0 };
      this.#files.set(key, file);
    }
    return file;
  }

  get writeFailure(): string | undefined {
    return this.#writeFailure;
  }

  get readFailure(): string | undefined {
    return this.#readFailure;
  }
}

class MemoryTorrentFiles implements TorrentFiles {
  readonly #storage: MemoryStorage;
  readonly #root: string;
  readonly #specs: readonly StorageFileSpec[];
  #closed = false;
  /** Present when the storage was made with `hashesWrites`. */
  readonly writeVerified?: TorrentFiles['writeVerified'];

  constructor(storage: MemoryStorage, root: string, specs: readonly StorageFileSpec[]) {
    this.#storage = storage;
    this.#root = root;
    this.#specs = specs;
    if (storage.hashesWrites) {
      this.writeVerified = async (fileIndex, position, data, sha1) => {
        this.#check(fileIndex, position, data.length);
        storage.stats.verifiedWrites++;
        if (!equalDigests(sha1Sync(data), sha1)) return { written: false, data: moved(data) };
        return { written: true, data: await this.writeMoving(fileIndex, position, data) };
      };
    }
  }

  async read(fileIndex: number, position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const spec = this.#check(fileIndex, position, length);
    if (into !== undefined && into.length < length) {
      throw storageError('STORAGE_OUT_OF_BOUNDS', `read of ${length} bytes into ${into.length}`);
    }
    this.#storage.stats.reads++;
    if (this.#storage.readFailure !== undefined) {
      throw storageError(this.#storage.readFailure, `read of file ${fileIndex} failed (injected)`);
    }
    if (spec.padding) return into ? into.fill(0, 0, length).subarray(0, length) : new Uint8Array(length);
    const file = this.#storage.fileAt(this.#root, spec);
    if (file === undefined) throw storageError('STORAGE_MISSING', `file ${fileIndex} does not exist`);
    if (position + length > file.length) {
      throw storageError(
        'STORAGE_SHORT_READ',
        `file ${fileIndex} has ${file.length} bytes, read wants ${position}+${length}`,
      );
    }
    if (into === undefined) return file.bytes.slice(position, position + length);
    into.set(file.bytes.subarray(position, position + length));
    return into.subarray(0, length);
  }

  async write(fileIndex: number, position: number, data: Uint8Array): Promise<void> {
    const spec = this.#check(fileIndex, position, data.length);
    const storage = this.#storage;
    await storage.writesHeld;
    if (storage.writeFailure !== undefined) {
      throw storageError(storage.writeFailure, `write to file ${fileIndex} failed (injected)`);
    }
    storage.stats.writes++;
    if (spec.padding) return;
    const file = storage.createFile(this.#root, spec);
    const end = position + data.length;
    if (end > file.bytes.length) {
      // Grow geometrically but never past the file's torrent length.
      const grown = new Uint8Array(Math.min(spec.length, Math.max(end, file.bytes.length * 2)));
      grown.set(file.bytes.subarray(0, file.length));
      file.bytes = grown;
    }
    file.bytes.set(data, position);
    file.length = Math.max(file.length, end);
    file.mtime = storage.nextWrite();
    storage.stats.bytesWritten += data.length;
  }

  /**
   * Like Node's file storage, really takes a whole buffer over: the caller's view is detached at once, so an
   * engine that touched bytes it gave up would see an empty view and fail its tests.
   */
  async writeMoving(fileIndex: number, position: number, data: Uint8Array): Promise<Uint8Array> {
    const bytes = moved(data);
    await this.write(fileIndex, position, bytes);
    return bytes;
  }

  /** Counts the hint (`stats.writePrepares`): memory needs nothing started. */
  prepareWrites(): void {
    this.#storage.stats.writePrepares++;
  }

  async size(fileIndex: number): Promise<number> {
    const spec = this.#check(fileIndex, 0, 0);
    if (spec.padding) return -1;
    return this.#storage.fileAt(this.#root, spec)?.length ?? -1;
  }

  /** Memory has no folders: removing the file is all there is. */
  async remove(fileIndex: number): Promise<void> {
    const spec = this.#check(fileIndex, 0, 0);
    if (!spec.padding) this.#storage.deleteFile(this.#root, spec);
  }

  async modifiedTime(fileIndex: number): Promise<number> {
    const spec = this.#check(fileIndex, 0, 0);
    if (spec.padding) return -1;
    return this.#storage.fileAt(this.#root, spec)?.mtime ?? -1;
  }

  async flush(): Promise<void> {
    this.#checkOpen();
    await this.#storage.flushesHeld;
    this.#storage.stats.flushes++;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw storageError('STORAGE_CLOSED', 'the torrent files were closed');
  }

  /** Validates an I/O request (a caller bug if wrong) and returns the file's spec. */
  #check(fileIndex: number, position: number, length: number): StorageFileSpec {
    this.#checkOpen();
    const spec = Number.isInteger(fileIndex) ? this.#specs[fileIndex] : undefined;
    if (spec === undefined) throw storageError('STORAGE_BAD_SPEC', `no file ${fileIndex}`);
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
      throw storageError('STORAGE_BAD_SPEC', `bad range ${position}+${length}`);
    }
    if (position + length > spec.length) {
      throw storageError(
        'STORAGE_OUT_OF_BOUNDS',
        `file ${fileIndex} is ${spec.length} bytes, I/O reaches ${position + length}`,
      );
    }
    return spec;
  }
}
