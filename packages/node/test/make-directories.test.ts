/** Folder creation that ends with an error where Node's recursive mkdir spins forever. */
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirectories } from '../src/make-directories.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-mkdir-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('makeDirectories', () => {
  it('creates missing parents and accepts a folder that exists', async () => {
    const dir = join(work, 'a', 'b', 'c');
    await makeDirectories(dir);
    await makeDirectories(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('refuses a path below a regular file with ENOTDIR', async () => {
    await writeFile(join(work, 'file'), 'x');
    await expect(makeDirectories(join(work, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectories(join(work, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Both cases never settle with `mkdir(path, { recursive: true })` on Node 20 (a libuv thread spins).
  it('ends with ENOENT below a dangling symlink', async () => {
    await symlink(join(work, 'nowhere'), join(work, 'dangling'));
    await expect(makeDirectories(join(work, 'dangling', 'x', 'y'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ends with an error below /proc, which answers ENOENT for a folder it cannot create', async () => {
    await expect(makeDirectories('/proc/bitloom-no-such-folder/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
