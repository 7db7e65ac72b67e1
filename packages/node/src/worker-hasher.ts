/**
 * SHA-1 for piece verification (BEP 3 `pieces`) on a pool of worker threads, so hashing a 16 MiB piece never
 * stalls the event loop that drives the sockets. Small inputs are hashed inline: below ~64 KiB the round trip to
 * a worker costs more than the hash. `sha1Moving` moves the caller's buffer to the worker and back (no copy) when
 * the bytes are a whole `ArrayBuffer`; `sha1` copies them once into a spare buffer, which travels to the worker and
 * back with the digest and is kept for the next job, so copy buffers are not allocated per piece (a fresh 1 MiB
 * buffer costs 256 page faults). A piece already in shared memory is read by the worker in place. Shared memory is not
 * used for assembling pieces: V8 copies into a `SharedArrayBuffer` byte by byte with relaxed atomics, ten times
 * slower than one copy. Jobs are served first in, first out, and each worker is given up to
 * `JOBS_PER_WORKER` at once: with one job at a time a worker sat idle from its reply until the main thread, busy
 * with sockets, posted it the next piece (in a 1 GiB download 40-50 pieces waited for a hash while the piece
 * budget was full). The pool grows as work queues up: one worker starts on first use (or at `prepare`), another
 * only when a job would otherwise wait, every running worker booted and holding its `JOBS_PER_WORKER` (a check
 * fills the pool at once; a download at 400 MB/s needs about a quarter of one core, and each worker costs ~26 ms
 * of CPU to boot and a few MiB). Workers are unref'd while idle (an idle pool never keeps the process alive) and
 * ref'd while hashing (a pending digest does). A worker that dies fails every job it was given.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Hasher, MovedDigest } from '@bitloom/engine';
import { HasherError } from './errors.js';
import { HASH_WORKER_SOURCE } from './hash-worker-source.js';
import { isWholeBuffer } from './whole-buffer.js';

/** Inputs shorter than this are hashed on the calling thread. */
export const INLINE_HASH_LIMIT = 64 * 1024;

/** Upper bound on the pool size, whatever the caller asks for. */
const MAX_WORKERS = 64;

/** Jobs posted to one worker ahead of its replies (it works through them in order). */
export const JOBS_PER_WORKER = 3;

/** Copy buffers kept for the next jobs of `sha1` (moved buffers go back to their callers). */
const MAX_SPARE_BUFFERS = 8;

export interface WorkerHasherOptions {
  /** Worker threads; default one per core. 0 hashes everything inline. */
  workers?: number;
}

interface HashJob {
  readonly data: Uint8Array;
  /** The caller gave `data` up: its buffer travels to the worker and comes back in the reply. */
  readonly moving: boolean;
  readonly resolve: (reply: MovedDigest) => void;
  readonly reject: (error: Error) => void;
}

interface PooledWorker {
  readonly thread: Worker;
  /** Booted and running code: jobs queued at a worker still booting do not make the pool grow. */
  online: boolean;
  /** Jobs posted to the worker, oldest first: its replies come in this order. */
  readonly jobs: HashJob[];
}

/** What a worker answers: the digest, and the buffer it was given (copy or moved bytes), handed back. */
interface HashReply {
  readonly digest: Uint8Array;
  readonly buffer?: ArrayBuffer;
}

/** SHA-1 of `data` on the calling thread, as a fresh 20-byte array. */
export function sha1Inline(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

export class WorkerHasher implements Hasher {
  readonly workerCount: number;
  readonly #workers = new Set<PooledWorker>();
  readonly #spares: ArrayBuffer[] = [];
  readonly #queue: HashJob[] = [];
  #queueHead = 0;
  #closed = false;

  constructor(options: WorkerHasherOptions = {}) {
    const requested = options.workers ?? availableParallelism();
    if (!Number.isInteger(requested) || requested < 0) {
      throw new RangeError(`hash worker count must be a non-negative integer, got ${requested}`);
    }
    this.workerCount = Math.min(requested, MAX_WORKERS);
  }

  /** Worker threads currently running (they start on demand). */
  get runningWorkers(): number {
    return this.#workers.size;
  }

  /** Starts a worker now rather than on the first piece (it takes time to boot); more start as work queues up. */
  prepare(): void {
    if (!this.#closed && this.#workers.size === 0 && this.workerCount > 0) this.#spawn();
  }

  sha1(data: Uint8Array): Promise<Uint8Array> {
    return this.#hash(data, false).then((reply) => reply.digest);
  }

  /** Moves `data`'s buffer to a worker and back when it is a whole `ArrayBuffer`; copies it otherwise. */
  sha1Moving(data: Uint8Array): Promise<MovedDigest> {
    return this.#hash(data, isWholeBuffer(data));
  }

  #hash(data: Uint8Array, moving: boolean): Promise<MovedDigest> {
    if (this.#closed) return Promise.reject(new HasherError('HASHER_CLOSED', 'the hasher is closed'));
    if (data.byteLength < INLINE_HASH_LIMIT || this.workerCount === 0) {
      return Promise.resolve({ digest: sha1Inline(data), data });
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ data, moving, resolve, reject });
      this.#dispatch();
    });
  }

  /** Terminates the workers; pending and later digests reject with `HASHER_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closedError = () =>
      new HasherError('HASHER_CLOSED', 'the hasher was closed before hashing finished');
    for (let i = this.#queueHead; i < this.#queue.length; i++) this.#queue[i]!.reject(closedError());
    this.#queue.length = 0;
    this.#queueHead = 0;
    const workers = [...this.#workers];
    this.#workers.clear();
    for (const worker of workers) for (const job of worker.jobs.splice(0)) job.reject(closedError());
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  #dispatch(): void {
    while (this.#queueHead < this.#queue.length) {
      const worker = this.#leastBusy();
      if (worker === undefined) return;
      const job = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as unknown as HashJob; // let the piece be collected
      if (this.#queueHead === this.#queue.length) {
        this.#queue.length = 0;
        this.#queueHead = 0;
      }
      worker.jobs.push(job);
      worker.thread.ref();
      const data = job.data;
      if (job.moving) {
        worker.thread.postMessage({ buffer: data.buffer, length: data.byteLength }, [
          data.buffer as ArrayBuffer,
        ]);
      } else if (data.buffer instanceof SharedArrayBuffer) {
        // Shared memory is seen by the worker as it is: only the coordinates travel.
        worker.thread.postMessage({ shared: data.buffer, offset: data.byteOffset, length: data.byteLength });
      } else {
        // Only the view's bytes are copied (posting the view would clone its whole backing buffer).
        let buffer = this.#spares.pop();
        if (buffer === undefined || buffer.byteLength < data.byteLength)
          buffer = new ArrayBuffer(data.byteLength);
        new Uint8Array(buffer, 0, data.byteLength).set(data);
        worker.thread.postMessage({ buffer, length: data.byteLength }, [buffer]);
      }
    }
  }

  /**
   * The worker with the fewest jobs, if one can take another; a new one when none runs, or when every worker is
   * booted and full, and the pool is not full. (A worker still booting holds the pool as it is: another one would
   * have to boot too.)
   */
  #leastBusy(): PooledWorker | undefined {
    let best: PooledWorker | undefined;
    let behind = true;
    for (const worker of this.#workers) {
      if (worker.jobs.length === 0) return worker;
      if (best === undefined || worker.jobs.length < best.jobs.length) best = worker;
      if (!worker.online || worker.jobs.length < JOBS_PER_WORKER) behind = false;
    }
    if (behind && this.#workers.size < this.workerCount) return this.#spawn();
    return best !== undefined && best.jobs.length < JOBS_PER_WORKER ? best : undefined;
  }

  #spawn(): PooledWorker {
    const thread = new Worker(HASH_WORKER_SOURCE, { eval: true });
    thread.unref();
    const worker: PooledWorker = { thread, online: false, jobs: [] };
    this.#workers.add(worker);
    thread.once('online', () => {
      worker.online = true;
    });
    thread.on('message', (reply: HashReply) => {
      const job = worker.jobs.shift();
      if (worker.jobs.length === 0) thread.unref();
      if (!this.#workers.has(worker)) return;
      if (job?.moving && reply.buffer) {
        job.resolve({ digest: reply.digest, data: new Uint8Array(reply.buffer) });
      } else {
        if (reply.buffer && this.#spares.length < MAX_SPARE_BUFFERS) this.#spares.push(reply.buffer);
        job?.resolve({ digest: reply.digest, data: job.data });
      }
      this.#dispatch();
    });
    thread.on('error', (cause) => this.#lose(worker, cause));
    thread.on('exit', (exitCode) =>
      this.#lose(worker, new Error(`hash worker exited with code ${exitCode}`)),
    );
    return worker;
  }

  /** A worker died: fail the jobs it was given (moved bytes went with it), forget it, let a replacement start. */
  #lose(worker: PooledWorker, cause: unknown): void {
    if (!this.#workers.delete(worker)) return;
    for (const job of worker.jobs.splice(0)) {
      job.reject(new HasherError('HASHER_WORKER_FAILED', 'a hash worker died while hashing', { cause }));
    }
    void worker.thread.terminate();
    if (!this.#closed) this.#dispatch();
  }
}
