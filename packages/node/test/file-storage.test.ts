import { mkdir, mkdtemp, open, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storageErrorFromSystem } from '../src/errors.js';
import { FileStorage } from '../src/file-storage.js';

let root: string;
let storage: FileStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bitloom-fs-'));
  storage = new FileStorage({ maxOpenFiles: 4 });
});

afterEach(async () => {
  await storage.close();
  await rm(root, { recursive: true, force: true });
});

/** File descriptors of this process that point into `folder` (Linux /proc). */
async function descriptorsUnder(folder: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${folder}/`)) count++;
  }
  return count;
}

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe('FileStorage paths', () => {
  it.each([[['..', 'evil.bin']], [['..']], [['a', '..', '..', 'evil.bin']], [['a', '..']], [['.']]])(
    'refuses a path that escapes or is the root: %j',
    async (path) => {
      await expect(storage.open(join(root, 'torrent'), [{ path, length: 1 }])).rejects.toMatchObject({
        code: 'STORAGE_PATH_ESCAPE',
      });
    },
  );

  it('refuses empty, NUL-carrying and duplicate paths', async () => {
    await expect(storage.open(root, [{ path: [], length: 1 }])).rejects.toMatchObject({
      code: 'STORAGE_BAD_SPEC',
    });
    await expect(storage.open(root, [{ path: ['a\0b'], length: 1 }])).rejects.toMatchObject({
      code: 'STORAGE_BAD_SPEC',
    });
    await expect(storage.open(root, [{ path: [''], length: 1 }])).rejects.toMatchObject({
      code: 'STORAGE_BAD_SPEC',
    });
    await expect(
      storage.open(root, [
        { path: ['x', 'same'], length: 1 },
        { path: ['x', '.', 'same'], length: 2 },
      ]),
    ).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
    await expect(storage.open(root, [{ path: ['a'], length: -1 }])).rejects.toMatchObject({
      code: 'STORAGE_BAD_SPEC',
    });
  });

  it('keeps an absolute-looking segment below the root', async () => {
    const files = await storage.open(join(root, 'torrent'), [{ path: ['/etc', 'x.bin'], length: 3 }]);
    await files.write(0, 0, bytes(3, 1));
    expect((await stat(join(root, 'torrent', 'etc', 'x.bin'))).size).toBe(3);
  });
});

describe('FileStorage files on disk', () => {
  it('sizes a file to its torrent length on first write, sparsely', async () => {
    const length = 8 * 1024 * 1024;
    const files = await storage.open(root, [{ path: ['big.bin'], length }]);
    await files.write(0, length - 4, bytes(4, 7));
    const stats = await stat(join(root, 'big.bin'));
    expect(stats.size).toBe(length);
    expect(stats.blocks * 512).toBeLessThan(length / 2);
    expect(await files.read(0, 0, 4)).toEqual(new Uint8Array(4));
    expect(await files.read(0, length - 4, 4)).toEqual(bytes(4, 7));
  });

  it('cuts a longer leftover file to the torrent length only once it writes', async () => {
    await writeFile(join(root, 'old.bin'), bytes(200, 9));
    const files = await storage.open(root, [{ path: ['old.bin'], length: 100 }]);
    expect(await files.read(0, 0, 100)).toEqual(bytes(100, 9));
    expect(await files.size(0)).toBe(200);
    await files.write(0, 0, bytes(10, 1));
    expect(await files.size(0)).toBe(100);
    expect(await files.read(0, 10, 90)).toEqual(bytes(90, 9));
  });

  it('maps a folder where a file should be to STORAGE_IO with the errno as cause', async () => {
    await mkdir(join(root, 'taken', 'file.bin'), { recursive: true });
    await writeFile(join(root, 'plain'), 'x');
    const files = await storage.open(root, [
      { path: ['taken', 'file.bin'], length: 4 },
      { path: ['plain', 'below.bin'], length: 4 },
    ]);
    await expect(files.write(0, 0, bytes(4, 1))).rejects.toMatchObject({
      code: 'STORAGE_IO',
      cause: { code: 'EISDIR' },
    });
    expect(await files.size(0)).toBe(-1);
    await expect(files.write(1, 0, bytes(4, 1))).rejects.toMatchObject({
      code: 'STORAGE_IO',
      cause: { code: 'ENOTDIR' },
    });
    expect(await files.size(1)).toBe(-1);
  });
});

describe('FileStorage open-file pool', () => {
  it('keeps at most maxOpenFiles handles while writing and reading many files', async () => {
    const specs = Array.from({ length: 40 }, (_, i) => ({ path: ['many', `f${i}.bin`], length: 1000 }));
    const files = await storage.open(root, specs);
    for (let i = 0; i < specs.length; i++) {
      await files.write(i, 0, bytes(1000, i));
      expect(storage.openHandles).toBeLessThanOrEqual(4);
    }
    expect(await descriptorsUnder(root)).toBeLessThanOrEqual(4);
    // Concurrent I/O may briefly exceed the bound while every handle is busy, then shrinks back.
    const reads = await Promise.all(specs.map((_, i) => files.read(i, 0, 1000)));
    reads.forEach((read, i) => {
      expect(Buffer.from(read).equals(bytes(1000, i))).toBe(true);
    });
    await Promise.all(specs.map((_, i) => files.write(i, 500, bytes(10, 255 - i))));
    await files.flush();
    expect(storage.openHandles).toBeLessThanOrEqual(4);
    expect(await descriptorsUnder(root)).toBeLessThanOrEqual(4);
    for (let i = 0; i < specs.length; i += 7) {
      const read = await files.read(i, 495, 20);
      expect(read).toEqual(new Uint8Array([...bytes(5, i), ...bytes(10, 255 - i), ...bytes(5, i)]));
    }
  });

  it('opens a file once for many concurrent reads, and once more for the first write', async () => {
    await writeFile(join(root, 'shared.bin'), bytes(64, 3));
    const files = await storage.open(root, [{ path: ['shared.bin'], length: 64 }]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => files.read(0, i, 8)));
    expect(await descriptorsUnder(root)).toBe(1);
    await Promise.all(Array.from({ length: 20 }, (_, i) => files.write(0, i, bytes(1, i))));
    expect(await descriptorsUnder(root)).toBe(1);
    expect(storage.openHandles).toBe(1);
  });

  it('evicts written handles without an fsync, and the next flush fsyncs every file written', async () => {
    const probe = await open(join(root, 'probe'), 'w');
    const handlePrototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const synced: string[] = [];
    const original = handlePrototype.sync;
    const spy = vi.spyOn(handlePrototype, 'sync').mockImplementation(async function (this: { fd: number }) {
      synced.push(await readlink(`/proc/self/fd/${this.fd}`));
      return original.call(this);
    });
    try {
      const specs = Array.from({ length: 12 }, (_, i) => ({ path: [`w${i}.bin`], length: 100 }));
      const files = await storage.open(root, specs);
      for (let i = 0; i < specs.length; i++) await files.write(i, 0, bytes(100, i));
      expect(synced).toEqual([]); // 8 handles were evicted to make room, none fsynced on the way
      await files.flush();
      expect(synced.map((path) => path.split('/').pop()).sort()).toEqual(
        specs.map((spec) => spec.path[0]).sort(),
      );
      synced.length = 0;
      await files.flush();
      expect(synced).toEqual([]); // nothing written since
      await files.write(0, 0, bytes(10, 9));
      await files.close();
      expect(synced.map((path) => path.split('/').pop())).toEqual(['w0.bin']); // closing makes it durable
    } finally {
      spy.mockRestore();
    }
  });

  it('lands a large write whole, and overlapping writes to one file in the order given', async () => {
    const length = 1024 * 1024 + 1000;
    const files = await storage.open(root, [
      { path: ['big.bin'], length: length + 10 },
      { path: ['two.bin'], length: 4096 },
    ]);
    const data = new Uint8Array(length).map((_, i) => i % 251);
    await files.write(0, 10, data);
    data.fill(0); // the caller's buffer is free once the write settled
    expect(await files.read(0, 10, length)).toEqual(new Uint8Array(length).map((_, i) => i % 251));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        Promise.all([files.write(0, 0, bytes(4096, i)), files.write(1, 0, bytes(4096, 100 + i))]),
      ),
    );
    expect(await files.read(0, 0, 4096)).toEqual(bytes(4096, 29));
    expect(await files.read(1, 0, 4096)).toEqual(bytes(4096, 129));
  });

  it('closes every handle when the storage closes, and later I/O rejects', async () => {
    const first = await storage.open(join(root, 'one'), [{ path: ['a.bin'], length: 4 }]);
    const second = await storage.open(join(root, 'two'), [{ path: ['b.bin'], length: 4 }]);
    await first.write(0, 0, bytes(4, 1));
    await second.write(0, 0, bytes(4, 2));
    const inFlight = second.write(0, 0, bytes(4, 3));
    await storage.close();
    await inFlight;
    expect(storage.openHandles).toBe(0);
    expect(await descriptorsUnder(root)).toBe(0);
    await expect(first.read(0, 0, 4)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
    const reopened = await storage.open(join(root, 'two'), [{ path: ['b.bin'], length: 4 }]);
    expect(await reopened.read(0, 0, 4)).toEqual(bytes(4, 3));
  });
});

describe('storage errors from the system', () => {
  it.each([
    ['ENOSPC', 'STORAGE_DISK_FULL'],
    ['EDQUOT', 'STORAGE_DISK_FULL'],
    ['EACCES', 'STORAGE_READ_ONLY'],
    ['EPERM', 'STORAGE_READ_ONLY'],
    ['EROFS', 'STORAGE_READ_ONLY'],
    ['EIO', 'STORAGE_IO'],
  ])('maps %s to %s and keeps the cause', (errno, code) => {
    const cause = Object.assign(new Error(errno), { code: errno });
    const error = storageErrorFromSystem(cause, 'write', '/x');
    expect(error.code).toBe(code);
    expect(error.cause).toBe(cause);
  });

  it('maps ENOENT to the code the operation asks for', () => {
    const cause = Object.assign(new Error('gone'), { code: 'ENOENT' });
    expect(storageErrorFromSystem(cause, 'read', '/x', 'STORAGE_MISSING').code).toBe('STORAGE_MISSING');
  });
});

describe('FileStorage remove', () => {
  it('removes the folders a removed file leaves empty, up to but never including the root', async () => {
    const torrentRoot = join(root, 'save');
    await mkdir(join(torrentRoot, 'mine'), { recursive: true });
    await writeFile(join(torrentRoot, 'mine', 'user.txt'), 'not the torrent’s');
    const files = await storage.open(torrentRoot, [
      { path: ['t', 'a', 'b', 'deep.bin'], length: 4 },
      { path: ['mine', 'x.bin'], length: 4 },
      { path: ['only.bin'], length: 4 },
    ]);
    for (const index of [0, 1, 2]) await files.write(index, 0, bytes(4, index + 1));
    for (const index of [0, 1, 2]) await files.remove(index);
    await files.close();
    // t/a/b emptied: all gone; mine/ still holds the user's file; the root stays even though it is empty of ours.
    expect((await readdir(torrentRoot)).sort()).toEqual(['mine']);
    expect(await readdir(join(torrentRoot, 'mine'))).toEqual(['user.txt']);
  });

  it('a grows file is never preallocated to its bound', async () => {
    const files = await storage.open(root, [{ path: ['.x.parts'], length: 1 << 30, grows: true }]);
    await files.write(0, 4096, bytes(10, 7));
    await files.close();
    expect((await stat(join(root, '.x.parts'))).size).toBe(4106);
  });
});
