/**
 * Positional file writes on a worker thread, handed to the kernel 16 KiB at a time with `writeSync`.
 *
 * Why not `fs.promises`: on a virtual machine that hands freed memory back to its host (free page reporting),
 * Linux backs a large write with large page-cache folios carved from memory the host must fault in again, which
 * cost a 1 GiB download seconds of system CPU; small writes get small folios from memory freed a moment ago (what
 * aria2's 16 KiB writes and libtorrent's memory-mapped faults get). 16 KiB calls through `fs.promises` cost about
 * 2 s of main-thread CPU per GiB (one promise and one thread-pool job each); in a loop of `writeSync` on a thread
 * of its own they cost the syscalls alone. Measured, `npm run bench -- --scenarios 1 --runs 2 --only
 * bitloom,aria2`, twice: 64 KiB writes through `fs.promises` 298/184 and 293/175 MB/s (the second trial follows
 * aria2's), 16 KiB writes on this thread 288/296 and 270/297.
 *
 * Each job's bytes are copied once into a buffer that travels to the thread and back (allocated once, grown when
 * a larger write comes), so the caller may reuse its buffer as soon as the promise settles, and nothing is kept.
 * Jobs run one at a time in order; the caller keeps the descriptor open until its job settles. A failed write
 * rejects with an `Error` carrying the system `code` (ENOSPC, EIO, …).
 */
import { Worker } from 'node:worker_threads';

/** Bytes per `writeSync` call. */
export const WRITE_CALL_BYTES = 16 * 1024;

const WRITER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
parentPort.on('message', ({ fd, buffer, length, position, callBytes }) => {
  const data = new Uint8Array(buffer, 0, length);
  let error = null;
  try {
    let done = 0;
    while (done < length) done += writeSync(fd, data, done, Math.min(callBytes, length - done), position + done);
  } catch (cause) {
    error = { code: cause && cause.code, message: String(cause && cause.message) };
  }
  parentPort.postMessage({ buffer, error }, [buffer]);
});
`;

interface WriteJob {
  readonly fd: number;
  readonly data: Uint8Array;
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class FileWriterThread {
  #worker: Worker | undefined;
  #spare: ArrayBuffer | undefined = new ArrayBuffer(0);
  readonly #queue: WriteJob[] = [];
  #running: WriteJob | undefined;
  #closed = false;

  /** Writes all of `data` at `position` of the open descriptor `fd`. */
  write(fd: number, data: Uint8Array, position: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the file writer is closed'));
    if (data.byteLength === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#queue.push({ fd, data, position, resolve, reject });
      this.#next();
    });
  }

  /** Stops the thread; queued and running writes reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = [...(this.#running ? [this.#running] : []), ...this.#queue.splice(0)];
    this.#running = undefined;
    for (const job of pending) job.reject(new Error('the file writer was closed before the write finished'));
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #next(): void {
    if (this.#running || this.#queue.length === 0 || this.#closed) return;
    const job = this.#queue.shift()!;
    this.#running = job;
    let buffer = this.#spare ?? new ArrayBuffer(0);
    this.#spare = undefined;
    if (buffer.byteLength < job.data.byteLength) buffer = new ArrayBuffer(job.data.byteLength);
    new Uint8Array(buffer, 0, job.data.byteLength).set(job.data);
    const worker = this.#thread();
    worker.ref(); // a pending write keeps the process alive
    worker.postMessage(
      {
        fd: job.fd,
        buffer,
        length: job.data.byteLength,
        position: job.position,
        callBytes: WRITE_CALL_BYTES,
      },
      [buffer],
    );
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WRITER_SOURCE, { eval: true });
    worker.unref();
    worker.on(
      'message',
      ({ buffer, error }: { buffer: ArrayBuffer; error: { code?: string; message: string } | null }) => {
        const job = this.#running;
        this.#running = undefined;
        this.#spare = buffer;
        worker.unref();
        if (error)
          job?.reject(Object.assign(new Error(error.message), error.code ? { code: error.code } : {}));
        else job?.resolve();
        this.#next();
      },
    );
    const lost = (cause: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#spare = new ArrayBuffer(0);
      const job = this.#running;
      this.#running = undefined;
      job?.reject(new Error('the file writer thread died', { cause }));
      this.#next();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
