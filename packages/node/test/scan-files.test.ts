import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileRangeReader, readFileRange, ScanError, scanPath } from '../src/scan-files.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bitloom-scan-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const bytes = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * seed + 3) & 0xff);

describe('scanPath', () => {
  it('a single file gives [name]', async () => {
    const file = join(root, 'movie.mkv');
    await writeFile(file, bytes(1234));
    expect(await scanPath(file)).toEqual({
      name: 'movie.mkv',
      files: [{ path: ['movie.mkv'], length: 1234, absolutePath: file }],
    });
  });

  it('a directory is walked recursively and sorted by path segments', async () => {
    const dir = join(root, 'album');
    await mkdir(join(dir, 'b', 'deep'), { recursive: true });
    await mkdir(join(dir, 'a-b'));
    await writeFile(join(dir, 'z.txt'), bytes(3));
    await writeFile(join(dir, 'b', 'deep', 'x.bin'), bytes(10));
    await writeFile(join(dir, 'b', 'a.bin'), bytes(0));
    await writeFile(join(dir, 'a-b', 'c'), bytes(1));
    const result = await scanPath(dir);
    expect(result.name).toBe('album');
    expect(result.files.map((file) => [file.path.join('/'), file.length])).toEqual([
      ['album/a-b/c', 1],
      ['album/b/a.bin', 0],
      ['album/b/deep/x.bin', 10],
      ['album/z.txt', 3],
    ]);
    expect(result.files[2]!.absolutePath).toBe(join(dir, 'b', 'deep', 'x.bin'));
  });

  it('symbolic links inside the tree are not followed (a link to / or a loop)', async () => {
    const dir = join(root, 'tree');
    await mkdir(dir);
    await writeFile(join(dir, 'real.txt'), bytes(5));
    await symlink('/', join(dir, 'escape'));
    await symlink(dir, join(dir, 'loop'));
    await symlink(join(dir, 'real.txt'), join(dir, 'link.txt'));
    const result = await scanPath(dir);
    expect(result.files.map((file) => file.path)).toEqual([['tree', 'real.txt']]);
  });

  it('missing paths and empty directories are ScanErrors', async () => {
    await expect(scanPath(join(root, 'nope'))).rejects.toMatchObject({ code: 'SCAN_NOT_FOUND' });
    await mkdir(join(root, 'empty', 'sub'), { recursive: true });
    const error = await scanPath(join(root, 'empty')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScanError);
    expect(error).toMatchObject({ code: 'SCAN_EMPTY' });
  });
});

describe('readFileRange and createFileRangeReader', () => {
  it('reads exact ranges with positional reads', async () => {
    const file = join(root, 'f');
    const content = bytes(100_000, 7);
    await writeFile(file, content);
    expect(await readFileRange(file, 0, 10)).toEqual(content.subarray(0, 10));
    expect(await readFileRange(file, 99_990, 10)).toEqual(content.subarray(99_990));
    expect(await readFileRange(file, 500, 0)).toEqual(new Uint8Array(0));
  });

  it('returns fewer bytes when the file shrank (the caller detects the short read)', async () => {
    const file = join(root, 'f');
    await writeFile(file, bytes(100));
    await truncate(file, 50);
    expect((await readFileRange(file, 40, 20)).length).toBe(10);
  });

  it('reuses open files, evicts the least recently used, and reads correctly throughout', async () => {
    const contents = [0, 1, 2, 3, 4].map((index) => bytes(1000, index + 2));
    const paths = await Promise.all(
      contents.map(async (content, index) => {
        const path = join(root, `file${index}`);
        await writeFile(path, content);
        return path;
      }),
    );
    const reader = createFileRangeReader(2);
    try {
      for (const order of [0, 1, 0, 2, 3, 1, 4, 0, 4]) {
        expect(await reader.read(paths[order]!, order * 10, 100)).toEqual(
          contents[order]!.subarray(order * 10, order * 10 + 100),
        );
      }
      // Concurrent reads of more files than may stay open.
      const results = await Promise.all(paths.map((path) => reader.read(path, 0, 1000)));
      expect(results).toEqual(contents);
      await expect(reader.read(join(root, 'missing'), 0, 1)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await reader.close();
    }
  });
});
