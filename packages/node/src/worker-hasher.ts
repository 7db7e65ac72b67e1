/**
 * SHA-1 for piece verification (BEP 3 `pieces`) on a pool of worker threads, so hashing a 16 MiB piece never
 * stalls the event loop that drives the sockets. Small inputs are hashed inline: below ~64 KiB the round trip to
 * a worker costs more than the hash. `sha1Moving` moves the caller's buffer to the worker and back (no copy) when
 * the bytes are a whole `ArrayBuffer`; `sha1` copies them once into a buffer the worker owns, which travels to the
 * worker and back with the digest, so it is allocated once per worker, not once per piece (a fresh 1 MiB buffer
 * costs 256 page faults). A piece already in shared memory is read by the worker in place. Shared memory is not
 * used for assembling pieces: V8 copies into a `SharedArrayBuffer` byte by byte with relaxed atomics, ten times
 * slower than one copy. Jobs are served first in, first out. Workers start on first use, are unref'd while idle
 * (an idle pool never keeps the process alive) and ref'd while hashing (a pending digest does).
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Hasher, MovedDigest } from '@bitloom/engine';
import { HasherError } from './errors.js';
import { HASH_WORKER_SOURCE } from './hash-worker-source.js';

/** Inputs shorter than this are hashed on the calling thread. */
export const INLINE_HASH_LIMIT = 64 * 1024;

/** Upper bound on the pool size, whatever the caller asks for. */
const MAX_WORKERS = 64;

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
  job: HashJob | undefined;
  /** The worker's copy buffer while it is back on this thread (undefined while the worker holds it). */
  spare: ArrayBuffer | undefined;
}

/** What a worker answers: the digest, and the copy buffer it was given, handed back. */
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
  readonly #idle: PooledWorker[] = [];
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

  sha1(data: Uint8Array): Promise<Uint8Array> {
    return this.#hash(data, false).then((reply) => reply.digest);
  }

  /** Moves `data`'s buffer to a worker and back when it is a whole `ArrayBuffer`; copies it otherwise. */
  sha1Moving(data: Uint8Array): Promise<MovedDigest> {
    const buffer = data.buffer;
    const whole =
      buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength;
    return this.#hash(data, whole);
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
    this.#idle.length = 0;
    for (const worker of workers) worker.job?.reject(closedError());
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  #dispatch(): void {
    while (this.#queueHead < this.#queue.length) {
      const worker = this.#idle.pop() ?? this.#spawn();
      if (worker === undefined) return;
      const job = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as unknown as HashJob; // let the piece be collected
      if (this.#queueHead === this.#queue.length) {
        this.#queue.length = 0;
        this.#queueHead = 0;
      }
      worker.job = job;
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
        let buffer = worker.spare;
        worker.spare = undefined;
        if (buffer === undefined || buffer.byteLength < data.byteLength)
          buffer = new ArrayBuffer(data.byteLength);
        new Uint8Array(buffer, 0, data.byteLength).set(data);
        worker.thread.postMessage({ buffer, length: data.byteLength }, [buffer]);
      }
    }
  }

  #spawn(): PooledWorker | undefined {
    if (this.#workers.size >= this.workerCount) return undefined;
    const thread = new Worker(HASH_WORKER_SOURCE, { eval: true });
    thread.unref();
    const worker: PooledWorker = { thread, job: undefined, spare: undefined };
    this.#workers.add(worker);
    thread.on('message', (reply: HashReply) => {
      const job = worker.job;
      worker.job = undefined;
      if (job?.moving !== true) worker.spare = reply.buffer;
      thread.unref();
      if (!this.#workers.has(worker)) return;
      this.#idle.push(worker);
      if (job?.moving && reply.buffer)
        job.resolve({ digest: reply.digest, data: new Uint8Array(reply.buffer) });
      else if (job) job.resolve({ digest: reply.digest, data: job.data });
      this.#dispatch();
    });
    thread.on('error', (cause) => this.#lose(worker, cause));
    thread.on('exit', (exitCode) =>
      this.#lose(worker, new Error(`hash worker exited with code ${exitCode}`)),
    );
    return worker;
  }

  /** A worker died: fail its job, forget it, and let the queue start a replacement. */
  #lose(worker: PooledWorker, cause: unknown): void {
    if (!this.#workers.delete(worker)) return;
    const idleAt = this.#idle.indexOf(worker);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    worker.job?.reject(
      new HasherError('HASHER_WORKER_FAILED', 'a hash worker died while hashing', { cause }),
    );
    worker.job = undefined;
    void worker.thread.terminate();
    if (!this.#closed) this.#dispatch();
  }
}
