/**
 * Positional file writes on a worker thread with `writeSync`: a large job's whole aligned blocks straight to the
 * disk (`O_DIRECT`, below), the rest through the page cache 32 KiB at a time.
 *
 * Why not `fs.promises`: on a virtual machine that hands freed memory back to its host (free page reporting),
 * Linux backs a large write with large page-cache folios carved from memory the host must fault in again, which
 * cost a 1 GiB download seconds of system CPU; small writes get small folios from memory freed a moment ago (what
 * aria2's 16 KiB writes and libtorrent's memory-mapped faults get). 16 KiB calls through `fs.promises` cost about
 * 2 s of main-thread CPU per GiB (one promise and one thread-pool job each); in a loop of `writeSync` on a thread
 * of its own they cost the syscalls alone. Measured, `npm run bench -- --scenarios 1 --runs 2 --only
 * bitloom,aria2`, twice: 64 KiB writes through `fs.promises` 298/184 and 293/175 MB/s (the second trial follows
 * aria2's), 16 KiB writes on this thread 288/296 and 270/297. 32 KiB calls (order-3 folios, the largest Linux
 * serves from its per-CPU free lists) cost the writer thread 0.36-0.40 s of system CPU per GiB against 0.45-0.54 s
 * for 16 KiB, with no more trials slowed after libtorrent's (one of 7 each); 64 KiB calls: 0.3 s right after the
 * warm-up, 3.8 s after a libtorrent trial. `--scenarios 1 --runs 2|3 --only bitloom,libtorrent`, 2026-12-05.
 *
 * `writeVerified` hashes the bytes on the thread first and writes them only if they match a SHA-1: a verified
 * piece costs one trip here instead of one to a hash worker and one here, and is copied to the kernel while it is
 * still in this core's cache. A 1 GiB download, same runs, before and after: bench medians 2.29 vs 2.23 CPU s
 * (6 each), bare downloads 2.39 vs 2.19 s (4 each, `/proc/PID/task`); peak RSS 138 vs 123 MiB. One thread
 * hashes and writes about 1 GB/s here, so while it is far behind (`HASH_ELSEWHERE_BYTES` waiting) the pieces are
 * hashed by the hasher it was given (Node's hash pool) and only written here. Not sooner: on this 2-core machine a
 * backlog of 3 jobs was common in scenario 2 (200 files, 256 KiB pieces) and hashing those on the pool cost it
 * 317 vs 332 MB/s and 1.84 vs 1.72 CPU s (5 runs each, same run); with 8 MiB, 308.0 vs 303.5 MB/s and 1.91 vs
 * 1.90 s against no pool at all (6 runs each): no cost where the thread keeps up.
 *
 * Large jobs skip the page cache: the thread reopens the descriptor by number (`/proc/self/fd/N`) with `O_DIRECT`
 * and writes a job's whole aligned 4 KiB blocks through that twin, from a page-aligned staging buffer; the
 * unaligned head and tail, small jobs, and file systems that refuse `O_DIRECT` go through the page cache as above.
 * Copying into the page cache was the thread's largest system-time cost, and the one the machine's slow state
 * multiplies. The twin is checked against the file the number names now (numbers are reused) and is only used
 * once a zero-length write showed the descriptor itself may write; twins are closed after a second without jobs.
 * The thread waits for the disk in those writes. Handing them to libuv's pool so it hashes the next job meanwhile
 * took a writer-only loop from 1.13-1.41 s to 0.93 s per GiB, but cost 0.07 s more CPU; nothing here writes that
 * fast, and CPU is what bounds a download on this 2-core machine, so the writes stay synchronous.
 *
 * `writeMoving` moves the caller's buffer to the thread and back (no copy) when the bytes are a whole
 * `ArrayBuffer`. `write` copies them once into a buffer that travels to the thread and back (kept for the next
 * job), so the caller may reuse its buffer as soon as the promise is made. Jobs are posted at once and
 * run in order on the thread, without a round trip through this thread between them; the caller keeps the
 * descriptor open until its job settles. A failed write rejects with an `Error` carrying the system `code`
 * (ENOSPC, EIO, …).
 */
import { Buffer } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import { type Hasher, sha1Moving, type VerifiedWrite } from '@bitloom/engine';
import { isWholeBuffer } from './whole-buffer.js';

/** Bytes per `writeSync` call. */
export const WRITE_CALL_BYTES = 32 * 1024;

/** Direct writes go in file ranges and lengths of whole multiples of this (a 4 KiB-sector disk's too). */
export const DIRECT_ALIGN_BYTES = 4096;
/** A job's aligned middle goes direct only from this size: below it the page cache costs less than the copy. */
export const DIRECT_MIN_BYTES = 64 * 1024;
/** Direct descriptors are closed after this long without a job (a removed file's space is freed then). */
export const DIRECT_IDLE_MS = 1000;

const WRITER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, constants, fstatSync, openSync, writeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const ALIGN = ${DIRECT_ALIGN_BYTES};
const DIRECT_MIN = ${DIRECT_MIN_BYTES};
const STAGING = 1 << 20;
// Direct I/O wants an aligned buffer too; a WebAssembly memory starts on a page.
let staging;
let directOn = workerData.direct && constants.O_DIRECT !== undefined;
/** fd -> { direct, dev, ino }: a second descriptor of the same file, opened with O_DIRECT. */
const directs = new Map();
/** Devices whose file system refused O_DIRECT (EINVAL): their files go through the page cache. */
const refused = new Set();
let directBytes = 0;
const idle = setTimeout(closeDirects, workerData.idleMs);
function closeDirects() {
  for (const { direct } of directs.values()) closeSync(direct);
  directs.clear();
}
/** The direct twin of fd, checked against the file fd names now (numbers are reused); undefined if none. */
function directFor(fd, position) {
  writeSync(fd, staging, 0, 0, position); // EBADF unless fd itself may write: the twin must not lend it that
  const now = fstatSync(fd);
  if (refused.has(now.dev)) return undefined;
  const known = directs.get(fd);
  if (known !== undefined && known.dev === now.dev && known.ino === now.ino) return known;
  if (known !== undefined) closeSync(known.direct);
  directs.delete(fd);
  let direct;
  try {
    direct = openSync(workerData.reopenPrefix + fd, constants.O_WRONLY | constants.O_DIRECT);
  } catch (error) {
    if (error.code === 'EINVAL') refused.add(now.dev);
    else if (error.code === 'ENOENT' || error.code === 'ENOTDIR') directOn = false; // no /proc
    return undefined;
  }
  const opened = fstatSync(direct);
  if (opened.dev !== now.dev || opened.ino !== now.ino) {
    closeSync(direct);
    return undefined;
  }
  const twin = { direct, dev: now.dev, ino: now.ino };
  directs.set(fd, twin);
  return twin;
}
function buffered(fd, data, from, to, position, callBytes) {
  while (from < to) from += writeSync(fd, data, from, Math.min(callBytes, to - from), position + from);
}
/** Writes data[from, to) direct as far as it can; returns where it stopped. */
function direct(fd, data, from, to, position) {
  staging ??= new Uint8Array(new WebAssembly.Memory({ initial: STAGING / 65536 }).buffer);
  const twin = directFor(fd, position);
  if (twin === undefined) return from;
  try {
    while (from < to) {
      const length = Math.min(STAGING, to - from);
      staging.set(data.subarray(from, from + length));
      const written = writeSync(twin.direct, staging, 0, length, position + from);
      from += written;
      if (written !== length) break;
    }
  } catch (error) {
    if (error.code !== 'EINVAL') throw error;
    refused.add(twin.dev); // the file system took the open but not the write
    closeSync(twin.direct);
    directs.delete(fd);
  }
  return from;
}
function writeAll(fd, data, length, position, callBytes) {
  let from = 0;
  if (directOn) {
    const start = Math.min(length, (ALIGN - (position % ALIGN)) % ALIGN);
    const end = start + Math.floor((length - start) / ALIGN) * ALIGN;
    if (end - start >= DIRECT_MIN) {
      buffered(fd, data, 0, start, position, callBytes);
      from = direct(fd, data, start, end, position);
      directBytes += from - start;
    }
  }
  buffered(fd, data, from, length, position, callBytes);
}
function matches(data, sha1) {
  const digest = createHash('sha1').update(data).digest();
  for (let i = 0; i < 20; i++) if (digest[i] !== sha1[i]) return false;
  return sha1.length === 20;
}
parentPort.on('message', ({ fd, buffer, length, position, callBytes, sha1 }) => {
  const data = new Uint8Array(buffer, 0, length);
  let error = null;
  let written = false;
  try {
    if (sha1 === undefined || matches(data, sha1)) {
      writeAll(fd, data, length, position, callBytes);
      written = true;
    }
  } catch (cause) {
    error = { code: cause && cause.code, message: String(cause && cause.message) };
  }
  idle.refresh();
  parentPort.postMessage({ buffer, error, written, directBytes }, [buffer]);
});
`;

interface WriteJob {
  /** The caller gave its buffer up: it comes back in the reply, and is handed to `resolve`. */
  readonly moving: boolean;
  readonly length: number;
  readonly resolve: (done: WriteDone) => void;
  readonly reject: (error: Error) => void;
}

/** The thread's reply: the buffer it was given, handed back, and whether the bytes were written. */
interface WriteDone {
  readonly buffer: ArrayBuffer;
  readonly written: boolean;
}

/** Buffers kept for the next jobs once the thread hands them back. */
const MAX_SPARE_BUFFERS = 8;

/** With this many bytes waiting on the thread, `writeVerified` hashes elsewhere (see `FileWriterThreadOptions`). */
export const HASH_ELSEWHERE_BYTES = 8 * 1024 * 1024;

export interface FileWriterThreadOptions {
  /**
   * Hashes for `writeVerified` while the thread is far behind (`HASH_ELSEWHERE_BYTES` waiting): one thread
   * hashes and writes about 1 GB/s here, so a faster download (or many at once) spreads its hashing over the
   * hash pool, and the thread only writes.
   */
  readonly hasher?: Hasher;
  /** Writes whole aligned 4 KiB blocks past the page cache (`O_DIRECT`) where the file system allows; default true. */
  readonly directWrites?: boolean;
  /** Where the thread reopens a descriptor by number for direct writes (a test seam); default `/proc/self/fd/`. */
  readonly directReopenPrefix?: string;
  /** Direct descriptors close after this long without a job; default {@link DIRECT_IDLE_MS}. */
  readonly directIdleMs?: number;
}

export class FileWriterThread {
  readonly #hasher: Hasher | undefined;
  readonly #direct: { readonly direct: boolean; readonly reopenPrefix: string; readonly idleMs: number };
  #pendingBytes = 0;
  #directBytes = 0;
  #worker: Worker | undefined;
  readonly #spares: ArrayBuffer[] = [];
  /** Jobs posted to the thread, oldest first: its replies come in this order. */
  readonly #inFlight: WriteJob[] = [];
  #inFlightHead = 0;
  #closed = false;

  constructor(options: FileWriterThreadOptions = {}) {
    this.#hasher = options.hasher;
    this.#direct = {
      direct: options.directWrites ?? true,
      reopenPrefix: options.directReopenPrefix ?? '/proc/self/fd/',
      idleMs: options.directIdleMs ?? DIRECT_IDLE_MS,
    };
  }

  /** Bytes written past the page cache so far. */
  get directBytes(): number {
    return this.#directBytes;
  }

  /** Bytes posted to the thread and not written yet. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes all of `data` at `position` of the open descriptor `fd`. */
  write(fd: number, data: Uint8Array, position: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the file writer is closed'));
    if (data.byteLength === 0) return Promise.resolve();
    return this.#post(fd, this.#copy(data), data.byteLength, position, false).then(() => {});
  }

  /**
   * Hashes `data` on the thread and writes it like `writeMoving` only if its SHA-1 is `sha1`; `written` says
   * whether it was. The bytes come back either way (moved when they are a whole `ArrayBuffer`, else copied).
   */
  writeVerified(fd: number, data: Uint8Array, position: number, sha1: Uint8Array): Promise<VerifiedWrite> {
    if (this.#closed) return Promise.reject(new Error('the file writer is closed'));
    if (this.#hasher !== undefined && this.#pendingBytes >= HASH_ELSEWHERE_BYTES) {
      return this.#hashElsewhere(this.#hasher, fd, data, position, sha1);
    }
    const length = data.byteLength;
    const moving = isWholeBuffer(data);
    const buffer = moving ? (data.buffer as ArrayBuffer) : this.#copy(data);
    return this.#post(fd, buffer, length, position, moving, sha1.slice()).then(
      ({ buffer: back, written }) => ({
        written,
        data: moving ? new Uint8Array(back, 0, length) : data,
      }),
    );
  }

  /**
   * Writes all of `data` like `write`, moving its buffer to the thread and back instead of copying it when the
   * bytes are a whole `ArrayBuffer`. The caller gives `data` up (it is left detached) and goes on with the
   * returned bytes once written.
   */
  writeMoving(fd: number, data: Uint8Array, position: number): Promise<Uint8Array> {
    if (!isWholeBuffer(data) || data.byteLength === 0) return this.write(fd, data, position).then(() => data);
    if (this.#closed) return Promise.reject(new Error('the file writer is closed'));
    return this.#post(fd, data.buffer as ArrayBuffer, data.byteLength, position, true).then(
      ({ buffer }) => new Uint8Array(buffer),
    );
  }

  async #hashElsewhere(
    hasher: Hasher,
    fd: number,
    data: Uint8Array,
    position: number,
    sha1: Uint8Array,
  ): Promise<VerifiedWrite> {
    const { digest, data: hashed } = await sha1Moving(hasher, data);
    if (Buffer.compare(digest, sha1) !== 0) return { written: false, data: hashed };
    return { written: true, data: await this.writeMoving(fd, hashed, position) };
  }

  /** `data`'s bytes in a buffer of their own (a spare one when it is large enough), to travel to the thread. */
  #copy(data: Uint8Array): ArrayBuffer {
    let buffer = this.#spares.pop();
    if (buffer === undefined || buffer.byteLength < data.byteLength)
      buffer = new ArrayBuffer(data.byteLength);
    new Uint8Array(buffer, 0, data.byteLength).set(data);
    return buffer;
  }

  #post(
    fd: number,
    buffer: ArrayBuffer,
    length: number,
    position: number,
    moving: boolean,
    sha1?: Uint8Array,
  ): Promise<WriteDone> {
    const worker = this.#thread();
    return new Promise((resolve, reject) => {
      this.#inFlight.push({ moving, length, resolve, reject });
      this.#pendingBytes += length;
      worker.ref(); // a pending write keeps the process alive
      worker.postMessage({ fd, buffer, length, position, callBytes: WRITE_CALL_BYTES, sha1 }, [buffer]);
    });
  }

  /** The thread is running (started by `prepare` or a write, until `close`). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Starts the thread now rather than on the first write (it takes time to boot); idle, it keeps nothing alive. */
  prepare(): void {
    if (!this.#closed) this.#thread();
  }

  /** Stops the thread; writes still in flight reject. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#failInFlight(new Error('the file writer was closed before the write finished'));
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #failInFlight(error: Error): void {
    const jobs = this.#inFlight.splice(this.#inFlightHead);
    this.#inFlight.length = 0;
    this.#inFlightHead = 0;
    this.#pendingBytes = 0;
    for (const job of jobs) job.reject(error);
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: this.#direct });
    worker.unref();
    worker.on(
      'message',
      ({
        buffer,
        error,
        written,
        directBytes,
      }: WriteDone & { error: { code?: string; message: string } | null; directBytes: number }) => {
        this.#directBytes = directBytes;
        const job = this.#inFlight[this.#inFlightHead];
        if (job) this.#pendingBytes -= job.length;
        this.#inFlight[this.#inFlightHead++] = undefined as unknown as WriteJob;
        if (this.#inFlightHead === this.#inFlight.length) {
          this.#inFlight.length = 0;
          this.#inFlightHead = 0;
          worker.unref();
        }
        if (job?.moving !== true && this.#spares.length < MAX_SPARE_BUFFERS) this.#spares.push(buffer);
        if (error)
          job?.reject(Object.assign(new Error(error.message), error.code ? { code: error.code } : {}));
        else job?.resolve({ buffer, written });
      },
    );
    const lost = (cause: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failInFlight(new Error('the file writer thread died', { cause }));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
