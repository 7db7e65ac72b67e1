/**
 * A bounded pool of open file handles shared by every torrent of a storage (libtorrent's file pool): at most
 * `capacity` handles stay open, the least recently used idle one is closed to make room, and each file has at
 * most one open in flight. A handle in use by an operation is never closed under it; when every handle is busy
 * the pool briefly exceeds its capacity and shrinks back as operations finish.
 *
 * Durability rule: every file written through since the last flush is fsynced by the next `flush` and when its
 * torrent closes. A handle evicted to make room is closed without an fsync: its file is marked unsynced, and the
 * flush opens it again to fsync it (fsync makes the file's data durable whichever descriptor wrote it, and Linux
 * reports a writeback error no descriptor has seen yet to a descriptor opened later). Fsyncing on eviction put a
 * disk flush in front of every open once a torrent had more files than the pool has handles.
 */
import { constants, type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemErrorCode } from './errors.js';
import { makeDirectories } from './make-directories.js';

/** One file of one torrent, as the pool knows it (the pool's key). */
export class FileSlot {
  /** True once the file was sized to `length` by a write-open; done once per opened torrent. */
  sized = false;
  /** An fsync failure of a handle closed in the background, kept for the next `flush` to report. */
  syncError: unknown;
  /** Written through a handle that was closed without an fsync since: the next flush fsyncs the file. */
  unsynced = false;

  constructor(
    /** Absolute path, already checked to be inside the torrent's root. */
    readonly path: string,
    /** The file's length in the torrent. */
    readonly length: number,
  ) {}
}

interface OpenEntry {
  readonly slot: FileSlot;
  readonly handle: FileHandle;
  /** Opened read-write (and the file sized); read-only handles are reopened for the first write. */
  readonly writable: boolean;
  /** Operations currently using the handle. */
  leases: number;
  /** Written through since the last fsync. */
  dirty: boolean;
  /** No longer in the pool; closed when its last lease ends. */
  retired: boolean;
}

/** Read-write, created if missing, never truncated on open. */
const WRITE_FLAGS = constants.O_RDWR | constants.O_CREAT;

export class OpenFileCache {
  readonly capacity: number;
  /** Pooled handles in least-recently-used-first order (a Map keeps insertion order; use re-inserts). */
  readonly #entries = new Map<FileSlot, OpenEntry>();
  readonly #opening = new Map<FileSlot, Promise<OpenEntry>>();
  readonly #closing = new Set<Promise<void>>();
  #openHandles = 0;

  constructor(capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`open file capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** File handles currently open (pooled, retired-but-busy, or closing). */
  get openHandles(): number {
    return this.#openHandles;
  }

  /**
   * Runs `use` with an open handle of `slot`. For `write`, the file and its folders are created if missing and
   * the file is sized to its torrent length on its first write-open (sparse: `ftruncate`). Rejects with the
   * system error of `open` (e.g. `ENOENT` for a read of a missing file) or of `use`.
   */
  async withHandle<T>(
    slot: FileSlot,
    mode: 'read' | 'write',
    use: (handle: FileHandle) => Promise<T>,
  ): Promise<T> {
    const entry = await this.#acquire(slot, mode === 'write');
    if (mode === 'write') entry.dirty = true;
    try {
      return await use(entry.handle);
    } finally {
      this.#release(entry);
    }
  }

  /**
   * Fsyncs every file of `slots` written since the last flush (dirty handles, and unsynced files reopened for
   * it), after the background closes; rejects with the first failure.
   */
  async flush(slots: Iterable<FileSlot>): Promise<void> {
    await Promise.all(this.#closing);
    const failures: unknown[] = [];
    const syncs: Promise<void>[] = [];
    for (const slot of slots) {
      if (slot.syncError !== undefined) {
        failures.push(slot.syncError);
        slot.syncError = undefined;
      }
      const entry = this.#entries.get(slot);
      if (entry?.dirty) {
        entry.dirty = false;
        const wasUnsynced = slot.unsynced;
        slot.unsynced = false;
        syncs.push(
          entry.handle.sync().catch((error: unknown) => {
            entry.dirty = true;
            slot.unsynced ||= wasUnsynced;
            failures.push(error);
          }),
        );
      } else if (slot.unsynced) {
        slot.unsynced = false;
        syncs.push(
          this.#syncClosed(slot).catch((error: unknown) => {
            slot.unsynced = true;
            failures.push(error);
          }),
        );
      }
    }
    await Promise.all(syncs);
    if (failures.length > 0) throw failures[0];
  }

  /** Closes the handles of `slots`, after making what was written durable. Callers first let their operations finish. */
  async closeSlots(slots: Iterable<FileSlot>): Promise<void> {
    const list = [...slots];
    // A failed fsync here has no one left to tell: the torrent is closing (or the file is being deleted).
    await this.flush(list).catch(() => {});
    for (const slot of list) {
      const entry = this.#entries.get(slot);
      if (entry) this.#retire(entry);
    }
    await Promise.all(this.#closing);
  }

  /** Fsyncs a file none of whose handles is open (a missing file has nothing to make durable). */
  async #syncClosed(slot: FileSlot): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(slot.path, 'r');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return;
      throw error;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async #acquire(slot: FileSlot, writable: boolean): Promise<OpenEntry> {
    for (;;) {
      const entry = this.#entries.get(slot);
      if (entry && (entry.writable || !writable)) {
        this.#entries.delete(slot);
        this.#entries.set(slot, entry);
        entry.leases++;
        return entry;
      }
      const pending = this.#opening.get(slot);
      if (pending) {
        // One open per file at a time: wait for it, then look again (it may not be the mode we need).
        await pending.catch(() => {});
        continue;
      }
      if (entry) this.#retire(entry); // read-only, and we need to write
      const opening = this.#open(slot, writable);
      this.#opening.set(slot, opening);
      try {
        const opened = await opening;
        opened.leases++;
        return opened;
      } finally {
        this.#opening.delete(slot);
      }
    }
  }

  async #open(slot: FileSlot, writable: boolean): Promise<OpenEntry> {
    // Make room for this handle and the other opens in flight, and wait until the room is really free.
    await Promise.all(this.#evictIdle(this.capacity - 1 - this.#opening.size));
    let handle: FileHandle;
    try {
      handle = await this.#openHandle(slot, writable);
    } catch (error) {
      const code = systemErrorCode(error);
      if (code !== 'EMFILE' && code !== 'ENFILE') throw error;
      // Out of descriptors (other torrents, sockets): give back every idle handle and try once more.
      await Promise.all(this.#evictIdle(0));
      handle = await this.#openHandle(slot, writable);
    }
    this.#openHandles++;
    const entry: OpenEntry = { slot, handle, writable, leases: 0, dirty: false, retired: false };
    if (writable && !slot.sized) {
      try {
        // Sparse preallocation; a larger leftover file is cut to the torrent's length, since we now own it.
        const { size } = await handle.stat();
        if (size !== slot.length) await handle.truncate(slot.length);
        slot.sized = true;
      } catch (error) {
        void this.#closeEntry(entry);
        throw error;
      }
    }
    this.#entries.set(slot, entry);
    return entry;
  }

  async #openHandle(slot: FileSlot, writable: boolean): Promise<FileHandle> {
    if (!writable) return open(slot.path, 'r');
    try {
      return await open(slot.path, WRITE_FLAGS, 0o666);
    } catch (error) {
      if (systemErrorCode(error) !== 'ENOENT') throw error;
      await makeDirectories(dirname(slot.path));
      return open(slot.path, WRITE_FLAGS, 0o666);
    }
  }

  #release(entry: OpenEntry): void {
    entry.leases--;
    if (entry.leases > 0) return;
    if (entry.retired) void this.#closeEntry(entry);
    else if (this.#entries.size > this.capacity) this.#evictIdle(this.capacity);
  }

  /**
   * Closes least-recently-used idle handles until at most `keep` stay pooled (busy ones are skipped); returns
   * the closes started.
   */
  #evictIdle(keep: number): Promise<void>[] {
    const closes: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      if (this.#entries.size <= keep) break;
      if (entry.leases === 0) {
        const closing = this.#retire(entry);
        if (closing) closes.push(closing);
      }
    }
    return closes;
  }

  /** Takes `entry` out of the pool; closes it now if idle (returning the close), else after its last lease. */
  #retire(entry: OpenEntry): Promise<void> | undefined {
    if (this.#entries.get(entry.slot) === entry) this.#entries.delete(entry.slot);
    if (entry.retired) return undefined;
    entry.retired = true;
    return entry.leases === 0 ? this.#closeEntry(entry) : undefined;
  }

  #closeEntry(entry: OpenEntry): Promise<void> {
    if (entry.dirty) entry.slot.unsynced = true; // the next flush fsyncs the file
    const closing = (async () => {
      try {
        await entry.handle.close();
      } catch {
        // a close error after writes is reported by the fsync of the next flush
      } finally {
        this.#openHandles--;
      }
    })();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
    return closing;
  }
}
