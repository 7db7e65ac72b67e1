import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileWriterThread, HASH_ELSEWHERE_BYTES } from '../src/file-writer-thread.js';

let dir: string;
let writer: FileWriterThread;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bitloom-writer-'));
  writer = new FileWriterThread();
});
afterEach(async () => {
  await writer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FileWriterThread', () => {
  it('writes at positions, in order, from a copy: the caller may reuse its buffer at once', async () => {
    const fd = openSync(join(dir, 'out.bin'), 'w+');
    try {
      const data = new Uint8Array(100_000).map((_, i) => i % 253);
      const first = writer.write(fd, data.subarray(0, 60_000), 5);
      const second = writer.write(fd, data.subarray(60_000), 60_005);
      await Promise.all([first, second]);
      data.fill(1);
      const onDisk = readFileSync(join(dir, 'out.bin'));
      expect(onDisk.length).toBe(100_005);
      expect(new Uint8Array(onDisk.subarray(5))).toEqual(new Uint8Array(100_000).map((_, i) => i % 253));
      // Overlapping writes: the last one given wins.
      await Promise.all([1, 2, 3].map((fill) => writer.write(fd, new Uint8Array(10).fill(fill), 0)));
      expect([...readFileSync(join(dir, 'out.bin')).subarray(0, 10)]).toEqual(new Array(10).fill(3));
    } finally {
      closeSync(fd);
    }
  });

  it('rejects with the system code: ENOSPC from a full device, EBADF on a read-only descriptor', async () => {
    const full = openSync('/dev/full', 'w');
    const readOnly = openSync(join(dir, 'ro.bin'), 'w+');
    const reopened = openSync(join(dir, 'ro.bin'), 'r');
    try {
      await expect(writer.write(full, new Uint8Array(100), 0)).rejects.toMatchObject({ code: 'ENOSPC' });
      await expect(writer.write(reopened, new Uint8Array(100), 0)).rejects.toMatchObject({ code: 'EBADF' });
      await writer.write(readOnly, new Uint8Array(3).fill(7), 0); // and goes on after failures
      expect([...readFileSync(join(dir, 'ro.bin'))]).toEqual([7, 7, 7]);
    } finally {
      closeSync(full);
      closeSync(readOnly);
      closeSync(reopened);
    }
  });

  it('moves a whole buffer to the thread and back, in order with copied writes; a failed move rejects', async () => {
    const fd = openSync(join(dir, 'moved.bin'), 'w+');
    const full = openSync('/dev/full', 'w');
    try {
      const expected = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
      const whole = expected.slice();
      const moved = writer.writeMoving(fd, whole, 0);
      expect(whole.length).toBe(0); // given up at once: detached
      const after = writer.write(fd, new Uint8Array(4).fill(9), 299_996); // posted later, runs later
      const back = await moved;
      await after;
      expect(Buffer.compare(back, expected)).toBe(0);
      expected.fill(9, 299_996);
      expect(Buffer.compare(readFileSync(join(dir, 'moved.bin')), expected)).toBe(0);
      await expect(writer.writeMoving(full, new Uint8Array(100), 0)).rejects.toMatchObject({
        code: 'ENOSPC',
      });
    } finally {
      closeSync(fd);
      closeSync(full);
    }
  });

  it('writes hashed bytes only when their SHA-1 matches, in order with plain writes; a failed write rejects', async () => {
    const fd = openSync(join(dir, 'verified.bin'), 'w+');
    const full = openSync('/dev/full', 'w');
    try {
      const piece = new Uint8Array(200_000).map((_, i) => (i * 13) % 251);
      const digest = new Uint8Array(createHash('sha1').update(piece).digest());
      const wrong = digest.slice();
      wrong[0]! ^= 0x80;
      const plain = writer.write(fd, new Uint8Array(200_000).fill(9), 0);
      const refused = writer.writeVerified(fd, piece.slice(), 0, wrong);
      const whole = piece.slice();
      const taken = writer.writeVerified(fd, whole, 200_000, digest);
      expect(whole.length).toBe(0); // moved to the thread
      const [, no, yes] = await Promise.all([plain, refused, taken]);
      expect(no.written).toBe(false);
      expect(Buffer.compare(no.data, piece)).toBe(0);
      expect(yes.written).toBe(true);
      expect(Buffer.compare(yes.data, piece)).toBe(0);
      const onDisk = new Uint8Array(readFileSync(join(dir, 'verified.bin')));
      expect(Buffer.compare(onDisk.subarray(0, 200_000), new Uint8Array(200_000).fill(9))).toBe(0); // not the refused piece
      expect(Buffer.compare(onDisk.subarray(200_000), piece)).toBe(0);
      // A view is copied, written, and stays the caller's.
      const view = piece.subarray(1000, 2000);
      const fromView = await writer.writeVerified(
        fd,
        view,
        0,
        new Uint8Array(createHash('sha1').update(view).digest()),
      );
      expect(fromView).toEqual({ written: true, data: view });
      expect(new Uint8Array(readFileSync(join(dir, 'verified.bin')).subarray(0, 1000))).toEqual(view);
      await expect(writer.writeVerified(full, piece.slice(), 0, digest)).rejects.toMatchObject({
        code: 'ENOSPC',
      });
    } finally {
      closeSync(fd);
      closeSync(full);
    }
  });

  it('while the thread is far behind, verified writes are hashed by the given hasher and only matching ones written', async () => {
    const hashed: number[] = [];
    const hasher = {
      sha1: async (data: Uint8Array) => {
        hashed.push(data[0]!);
        return new Uint8Array(createHash('sha1').update(data).digest());
      },
    };
    const pooled = new FileWriterThread({ hasher });
    const fd = openSync(join(dir, 'pooled.bin'), 'w+');
    try {
      // 3 MiB pieces: the first three make HASH_ELSEWHERE_BYTES (8 MiB) wait on the thread.
      const size = 3 * 1024 * 1024;
      expect(2 * size).toBeLessThan(HASH_ELSEWHERE_BYTES);
      expect(3 * size).toBeGreaterThanOrEqual(HASH_ELSEWHERE_BYTES);
      const pieces = [1, 2, 3, 4, 5, 6].map((n) => new Uint8Array(size).fill(n));
      const digests = pieces.map((piece) => new Uint8Array(createHash('sha1').update(piece).digest()));
      digests[4]![0]! ^= 1; // piece 5 does not match
      const results = await Promise.all(
        pieces.map((piece, i) => pooled.writeVerified(fd, piece, i * size, digests[i]!)),
      );
      expect(hashed).toEqual([4, 5, 6]);
      expect(results.map((r) => r.written)).toEqual([true, true, true, true, false, true]);
      expect(pooled.pendingBytes).toBe(0);
      const onDisk = new Uint8Array(readFileSync(join(dir, 'pooled.bin')));
      for (const [i, n] of [1, 2, 3, 4, 0, 6].entries()) {
        expect(onDisk.subarray(i * size, (i + 1) * size).every((byte) => byte === n)).toBe(true);
      }
    } finally {
      closeSync(fd);
      await pooled.close();
    }
  });

  it('prepare starts the thread before any write; close stops it', async () => {
    expect(writer.running).toBe(false);
    writer.prepare();
    expect(writer.running).toBe(true);
    const fd = openSync(join(dir, 'prepared.bin'), 'w+');
    try {
      await writer.write(fd, new Uint8Array(5).fill(4), 0);
      expect([...readFileSync(join(dir, 'prepared.bin'))]).toEqual([4, 4, 4, 4, 4]);
    } finally {
      closeSync(fd);
    }
    await writer.close();
    expect(writer.running).toBe(false);
    writer.prepare(); // closed: nothing starts
    expect(writer.running).toBe(false);
  });

  it('rejects writes once closed', async () => {
    await writer.close();
    await expect(writer.write(0, new Uint8Array(1), 0)).rejects.toThrow(/closed/);
  });
});
