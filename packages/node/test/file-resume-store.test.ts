import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileResumeStore, FileStorage } from '@bitloom/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bitloom-resume-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'a'.repeat(40);
const bytes = (text: string) => new TextEncoder().encode(text);

describe('createFileResumeStore', () => {
  it('saves durably, keeps the previous copy, and loads newest first', async () => {
    const store = createFileResumeStore(join(dir, 'nested', 'resume'));
    expect(await store.load(KEY)).toEqual([]);
    await store.save(KEY, bytes('first'));
    expect(await store.load(KEY)).toEqual([bytes('first')]);
    await store.save(KEY, bytes('second'));
    expect(await store.load(KEY)).toEqual([bytes('second'), bytes('first')]);
    await store.save(KEY, bytes('third'));
    expect(await store.load(KEY)).toEqual([bytes('third'), bytes('second')]);
    // No temp files are left behind.
    expect((await readdir(join(dir, 'nested', 'resume'))).sort()).toEqual([
      `${KEY}.resume`,
      `${KEY}.resume.bak`,
    ]);
  });

  it('a missing newest copy (crash between the two renames) still yields the previous one', async () => {
    const store = createFileResumeStore(dir);
    await store.save(KEY, bytes('first'));
    await store.save(KEY, bytes('second'));
    await rm(join(dir, `${KEY}.resume`));
    expect(await store.load(KEY)).toEqual([bytes('first')]);
  });

  it('remove forgets every copy; keys that are not plain names are refused', async () => {
    const store = createFileResumeStore(dir);
    await store.save(KEY, bytes('x'));
    await store.save(KEY, bytes('y'));
    await store.remove(KEY);
    expect(await store.load(KEY)).toEqual([]);
    await expect(store.save('../escape', bytes('x'))).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
    await expect(store.load('a/b')).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
  });

  it('a save that cannot write rejects with a StorageError', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'file');
    const broken = createFileResumeStore(join(blocker, 'resume'));
    await expect(broken.save(KEY, bytes('x'))).rejects.toMatchObject({ name: 'StorageError' });
  });
});

describe('FileStorage.modifiedTime', () => {
  it('is -1 for a missing file and follows the file mtime in whole milliseconds', async () => {
    const storage = new FileStorage();
    const files = await storage.open(dir, [{ path: ['f.bin'], length: 4 }]);
    expect(await files.modifiedTime!(0)).toBe(-1);
    await files.write(0, 0, Uint8Array.of(1, 2, 3, 4));
    await utimes(join(dir, 'f.bin'), 1_700_000_000.5, 1_700_000_000.25);
    expect(await files.modifiedTime!(0)).toBe(1_700_000_000_250);
    await files.close();
  });
});
