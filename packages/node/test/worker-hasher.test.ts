import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INLINE_HASH_LIMIT, JOBS_PER_WORKER, WorkerHasher } from '../src/worker-hasher.js';

const hashers: WorkerHasher[] = [];
afterEach(async () => {
  await Promise.all(hashers.splice(0).map((hasher) => hasher.close()));
});

function makeHasher(workers: number): WorkerHasher {
  const hasher = new WorkerHasher({ workers });
  hashers.push(hasher);
  return hasher;
}

function reference(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

/** Deterministic non-trivial bytes. */
function piece(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
  return out;
}

describe('WorkerHasher', () => {
  it('matches node:crypto for many concurrent pieces of mixed sizes', async () => {
    const hasher = makeHasher(2);
    const sizes = [0, 1, 20, INLINE_HASH_LIMIT - 1, INLINE_HASH_LIMIT, 256 * 1024, 1024 * 1024, 100_001, 3];
    const pieces = Array.from({ length: 40 }, (_, i) => piece(sizes[i % sizes.length]!, i));
    const digests = await Promise.all(pieces.map((data) => hasher.sha1(data)));
    digests.forEach((digest, i) => {
      expect(digest).toBeInstanceOf(Uint8Array);
      expect(digest).toEqual(reference(pieces[i]!));
    });
    expect(hasher.runningWorkers).toBe(2);
  });

  it('hashes only the view’s bytes and leaves the caller’s buffer intact and attached', async () => {
    const hasher = makeHasher(1);
    const backing = piece(4 * INLINE_HASH_LIMIT, 9);
    const view = backing.subarray(1000, 1000 + 2 * INLINE_HASH_LIMIT);
    const before = view.slice();
    const digest = await hasher.sha1(view);
    expect(digest).toEqual(reference(before));
    expect(backing.byteLength).toBe(4 * INLINE_HASH_LIMIT);
    expect(Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(before)).toBe(true);
  });

  it('hashes small inputs inline without starting a worker', async () => {
    const hasher = makeHasher(2);
    const data = piece(INLINE_HASH_LIMIT - 1, 1);
    expect(await hasher.sha1(data)).toEqual(reference(data));
    expect(hasher.runningWorkers).toBe(0);
  });

  it('hashes everything inline with zero workers', async () => {
    const hasher = makeHasher(0);
    const data = piece(512 * 1024, 2);
    expect(await hasher.sha1(data)).toEqual(reference(data));
    expect(hasher.runningWorkers).toBe(0);
  });

  it('settles in-flight and queued work with HASHER_CLOSED on close, and rejects later calls', async () => {
    const hasher = makeHasher(1);
    const pending = Array.from({ length: 6 }, (_, i) => hasher.sha1(piece(1024 * 1024, i)));
    const settled = Promise.allSettled(pending);
    await hasher.close();
    const results = await settled;
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'HASHER_CLOSED' });
    }
    // The queue holds five behind the single worker: those cannot have finished.
    expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThanOrEqual(5);
    expect(hasher.runningWorkers).toBe(0);
    await expect(hasher.sha1(piece(10, 1))).rejects.toMatchObject({ code: 'HASHER_CLOSED' });
    await hasher.close();
  });

  it('reuses its workers across batches', async () => {
    const hasher = makeHasher(2);
    for (let batch = 0; batch < 3; batch++) {
      const pieces = Array.from({ length: 5 }, (_, i) => piece(200_000 + i, batch * 10 + i));
      const digests = await Promise.all(pieces.map((data) => hasher.sha1(data)));
      digests.forEach((digest, i) => {
        expect(digest).toEqual(reference(pieces[i]!));
      });
    }
    expect(hasher.runningWorkers).toBe(2);
  });

  it('fails the jobs of a worker that dies with HASHER_WORKER_FAILED, then replaces the worker', async () => {
    const hasher = makeHasher(1);
    // Claims 64 KiB of an 8-byte shared buffer: the worker's view of it throws a RangeError.
    const poison = {
      byteLength: INLINE_HASH_LIMIT,
      byteOffset: 0,
      buffer: new SharedArrayBuffer(8),
    } as unknown as Uint8Array;
    const data = piece(INLINE_HASH_LIMIT * 2, 5);
    // The job posted behind the poison, to the same worker, is lost with it.
    const [poisoned, behind] = await Promise.allSettled([hasher.sha1(poison), hasher.sha1(data)]);
    expect(poisoned).toMatchObject({ status: 'rejected', reason: { code: 'HASHER_WORKER_FAILED' } });
    expect(behind).toMatchObject({ status: 'rejected', reason: { code: 'HASHER_WORKER_FAILED' } });
    expect(await hasher.sha1(data)).toEqual(reference(data));
    expect(hasher.runningWorkers).toBe(1);
  });

  it('gives each worker several jobs ahead of its replies, and the rest as replies come', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const hasher = makeHasher(1);
      const pieces = Array.from({ length: JOBS_PER_WORKER + 3 }, (_, i) => piece(100_000 + i, i));
      const digests = Promise.all(pieces.map((data) => hasher.sha1(data)));
      // Posted at once, before any reply: a worker never waits for this thread between pieces.
      expect(posted).toHaveBeenCalledTimes(JOBS_PER_WORKER);
      (await digests).forEach((digest, i) => {
        expect(digest).toEqual(reference(pieces[i]!));
      });
      expect(posted).toHaveBeenCalledTimes(pieces.length);
    } finally {
      posted.mockRestore();
    }
  });

  it('reuses one copy buffer across pieces that shrink and grow, hashing only each piece’s bytes', async () => {
    const hasher = makeHasher(1);
    const sizes = [1024 * 1024, INLINE_HASH_LIMIT, 300_000, 1024 * 1024 + 1, INLINE_HASH_LIMIT + 1];
    for (const [i, size] of sizes.entries()) {
      const data = piece(size, 20 + i);
      // One at a time: the single worker gets its buffer back before the next piece, larger or smaller.
      expect(await hasher.sha1(data)).toEqual(reference(data));
    }
  });

  it('sha1Moving moves a whole buffer to the worker and back: same bytes, no copy left behind', async () => {
    const hasher = makeHasher(2);
    const originals = [256 * 1024, 1024 * 1024, 100_001].map((size, i) => piece(size, i));
    const given = originals.map((bytes) => bytes.slice());
    const replies = await Promise.all(given.map((bytes) => hasher.sha1Moving(bytes)));
    replies.forEach((reply, i) => {
      expect(reply.digest).toEqual(reference(originals[i]!));
      expect(Buffer.compare(reply.data, originals[i]!)).toBe(0);
      expect(given[i]!.byteLength).toBe(0); // moved: the caller's view is detached
    });
  });

  it('sha1Moving copies a view of part of a buffer, and hashes small inputs inline, leaving both intact', async () => {
    const hasher = makeHasher(1);
    const backing = piece(512 * 1024, 9);
    const view = backing.subarray(1000, 1000 + 256 * 1024);
    const reply = await hasher.sha1Moving(view);
    expect(reply.digest).toEqual(reference(view));
    expect(reply.data).toBe(view);
    expect(view.byteLength).toBe(256 * 1024);
    const small = piece(100, 1);
    expect((await hasher.sha1Moving(small)).data).toBe(small);
  });

  it('prepare starts one worker before the first piece; hashing then uses it', async () => {
    const hasher = makeHasher(2);
    expect(hasher.runningWorkers).toBe(0);
    hasher.prepare();
    expect(hasher.runningWorkers).toBe(1);
    hasher.prepare();
    expect(hasher.runningWorkers).toBe(1);
    const data = piece(300_000, 9);
    expect(await hasher.sha1(data)).toEqual(reference(data));
    expect(hasher.runningWorkers).toBe(1);
    await hasher.close();
    hasher.prepare();
    expect(hasher.runningWorkers).toBe(0);
  });

  it('starts another worker only once every running one is booted and has JOBS_PER_WORKER jobs', async () => {
    const hasher = makeHasher(3);
    // A first piece hashed: the first worker is booted.
    expect(await hasher.sha1(piece(100_000, 0))).toEqual(reference(piece(100_000, 0)));
    const pieces = Array.from({ length: 2 * JOBS_PER_WORKER + 2 }, (_, i) => piece(100_000 + i, i));
    const digests: Promise<Uint8Array>[] = [];
    // Each posted before any reply: the first worker takes then a second starts; while it boots
    // the pool does not grow, however many jobs wait.
    for (const [i, data] of pieces.entries()) {
      digests.push(hasher.sha1(data));
      expect(hasher.runningWorkers).toBe(i < JOBS_PER_WORKER ? 1 : 2);
    }
    (await Promise.all(digests)).forEach((digest, i) => {
      expect(digest).toEqual(reference(pieces[i]!));
    });
    // Pieces one at a time never queue up: a new pool stays at one worker.
    const one = makeHasher(3);
    for (let i = 0; i < 5; i++) await one.sha1(piece(100_000, i));
    expect(one.runningWorkers).toBe(1);
  });

  it('rejects a bad worker count', () => {
    expect(() => new WorkerHasher({ workers: -1 })).toThrow(RangeError);
    expect(() => new WorkerHasher({ workers: 1.5 })).toThrow(RangeError);
  });
});

describe('WorkerHasher shared memory', () => {
  it('hashes views of a SharedArrayBuffer in place, matching createHash, and leaves them intact', async () => {
    const hasher = new WorkerHasher({ workers: 2 });
    try {
      const buffers = [1, 2, 3, 4].map((seed) => {
        const shared = new Uint8Array(new SharedArrayBuffer(INLINE_HASH_LIMIT * 4 + seed));
        shared.set(piece(shared.length, seed));
        return shared;
      });
      expect(buffers[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
      const before = buffers.map((b) => b.slice());
      const digests = await Promise.all(buffers.map((b) => hasher.sha1(b.subarray(seed0(b)))));
      for (const [i, b] of buffers.entries()) {
        expect(digests[i]).toEqual(reference(b.subarray(seed0(b))));
        expect(Buffer.compare(b, before[i]!)).toBe(0);
      }
    } finally {
      await hasher.close();
    }
  });
});

/** Hash a view that does not start at 0, to check offsets travel with the shared buffer. */
function seed0(b: Uint8Array): number {
  return b.length % 7;
}
