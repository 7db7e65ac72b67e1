/**
 * The writer thread's direct writes (O_DIRECT through a second descriptor of the same file): whole aligned blocks
 * go past the page cache, the rest through it, and the bytes on disk are the same either way.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIRECT_ALIGN_BYTES, DIRECT_MIN_BYTES, FileWriterThread } from '../src/file-writer-thread.js';
import { directSupported } from './direct-io-support.js';

let dir: string;
const writers: FileWriterThread[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bitloom-direct-'));
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await rm(dir, { recursive: true, force: true });
});

function writerWith(options: ConstructorParameters<typeof FileWriterThread>[0] = {}): FileWriterThread {
  const writer = new FileWriterThread(options);
  writers.push(writer);
  return writer;
}

const pattern = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * seed + 11) % 251);
const sha1 = (data: Uint8Array) => new Uint8Array(createHash('sha1').update(data).digest());

describe('FileWriterThread direct writes', () => {
  it('writes the aligned middle of a large job direct and its unaligned head and tail through the page cache', async () => {
    const writer = writerWith();
    const path = join(dir, 'mixed.bin');
    const fd = openSync(path, 'w+');
    try {
      const position = 3000; // head: 1,096 bytes to the next 4 KiB boundary
      const data = pattern(1024 * 1024 + 5000, 7);
      await writer.write(fd, data, position);
      const head = DIRECT_ALIGN_BYTES - position;
      const middle = Math.floor((data.length - head) / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES;
      expect(writer.directBytes).toBe(directSupported(dir) ? middle : 0);
      const onDisk = readFileSync(path);
      expect(onDisk.length).toBe(position + data.length);
      expect(onDisk.subarray(0, position).every((byte) => byte === 0)).toBe(true);
      expect(Buffer.compare(onDisk.subarray(position), data)).toBe(0);
      // A verified write goes the same way; a small one never goes direct.
      const piece = pattern(2 * 1024 * 1024, 13);
      const before = writer.directBytes;
      const moved = pattern(2 * 1024 * 1024, 13); // given up to the thread
      expect((await writer.writeVerified(fd, moved, 4 * 1024 * 1024, sha1(piece))).written).toBe(true);
      await writer.write(fd, pattern(DIRECT_MIN_BYTES - 1, 3), 8 * 1024 * 1024);
      expect(writer.directBytes - before).toBe(directSupported(dir) ? 2 * 1024 * 1024 : 0);
      const whole = readFileSync(path);
      expect(Buffer.compare(whole.subarray(4 * 1024 * 1024, 6 * 1024 * 1024), piece)).toBe(0);
      expect(Buffer.compare(whole.subarray(8 * 1024 * 1024), pattern(DIRECT_MIN_BYTES - 1, 3))).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('reads through the page cache see what was written direct, even where the cache held the old bytes', async () => {
    const writer = writerWith();
    const path = join(dir, 'cached-then-direct.bin');
    writeFileSync(path, new Uint8Array(2 * 1024 * 1024).fill(0xee));
    const fd = openSync(path, 'r+');
    try {
      const before = Buffer.alloc(2 * 1024 * 1024);
      readSync(fd, before, 0, before.length, 0); // the old bytes are in the page cache now
      expect(before.every((byte) => byte === 0xee)).toBe(true);
      const data = pattern(1024 * 1024, 19);
      await writer.write(fd, data, 512 * 1024);
      expect(writer.directBytes).toBe(directSupported(dir) ? data.length : 0);
      const after = Buffer.alloc(2 * 1024 * 1024);
      readSync(fd, after, 0, after.length, 0);
      expect(after.subarray(0, 512 * 1024).every((byte) => byte === 0xee)).toBe(true);
      expect(Buffer.compare(after.subarray(512 * 1024, 1536 * 1024), data)).toBe(0);
      expect(after.subarray(1536 * 1024).every((byte) => byte === 0xee)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('closes its direct descriptor of a file after a while without jobs, and all of them on close', async () => {
    const path = join(dir, 'closed.bin');
    const openOn = () =>
      readdirSync('/proc/self/fd').filter((n) => {
        try {
          return readlinkSync(`/proc/self/fd/${n}`) === path;
        } catch {
          return false;
        }
      }).length;
    const twin = directSupported(dir) ? 1 : 0;
    for (const idleMs of [50, 60_000]) {
      const writer = writerWith({ directIdleMs: idleMs });
      const fd = openSync(path, 'w+');
      await writer.write(fd, pattern(1024 * 1024, 23), 0);
      closeSync(fd);
      expect(openOn()).toBe(twin); // the thread's direct twin outlives the descriptor it was opened from
      if (idleMs === 50) {
        const deadline = Date.now() + 10_000; // a removed file's space is freed once the twin is closed
        while (openOn() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(openOn()).toBe(0);
      }
      await writer.close();
      expect(openOn()).toBe(0);
    }
  });

  it('follows a reused descriptor number to the file it names now', async () => {
    const writer = writerWith();
    const first = openSync(join(dir, 'first.bin'), 'w+');
    await writer.write(first, pattern(256 * 1024, 3), 0);
    closeSync(first);
    const second = openSync(join(dir, 'second.bin'), 'w+');
    try {
      expect(second).toBe(first); // the lowest free number: the thread's direct twin of `first` is stale now
      await writer.write(second, pattern(512 * 1024, 5), 0);
      expect(Buffer.compare(readFileSync(join(dir, 'first.bin')), pattern(256 * 1024, 3))).toBe(0);
      expect(Buffer.compare(readFileSync(join(dir, 'second.bin')), pattern(512 * 1024, 5))).toBe(0);
      expect(writer.directBytes).toBe(directSupported(dir) ? 768 * 1024 : 0);
    } finally {
      closeSync(second);
    }
  });

  it('does not lend a read-only descriptor write access: a large write on it fails EBADF', async () => {
    const writer = writerWith();
    const path = join(dir, 'read-only.bin');
    writeFileSync(path, pattern(1024 * 1024, 9));
    const readOnly = openSync(path, 'r');
    try {
      await expect(writer.write(readOnly, new Uint8Array(1024 * 1024), 0)).rejects.toMatchObject({
        code: 'EBADF',
      });
      expect(Buffer.compare(readFileSync(path), pattern(1024 * 1024, 9))).toBe(0);
      expect(writer.directBytes).toBe(0);
    } finally {
      closeSync(readOnly);
    }
  });

  it('writes through the page cache when a descriptor cannot be reopened direct, or direct writes are off', async () => {
    for (const options of [{ directReopenPrefix: join(dir, 'no-such-dir', '') }, { directWrites: false }]) {
      const writer = writerWith(options);
      const path = join(dir, 'cached.bin');
      const fd = openSync(path, 'w+');
      try {
        const data = pattern(1024 * 1024, 17);
        await writer.write(fd, data, 0);
        await writer.write(fd, data, 1024 * 1024);
        expect(writer.directBytes).toBe(0);
        const onDisk = readFileSync(path);
        expect(Buffer.compare(onDisk.subarray(0, data.length), data)).toBe(0);
        expect(Buffer.compare(onDisk.subarray(data.length), data)).toBe(0);
      } finally {
        closeSync(fd);
      }
    }
  });
});
