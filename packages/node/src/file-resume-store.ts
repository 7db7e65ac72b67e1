/**
 * Resume data in a folder, one file per key (`<key>.resume`), written crash-safely: a temp file is written and
 * fsynced, the current copy is renamed to `<key>.resume.bak`, the temp file renamed into place, and the folder
 * fsynced. A crash at any point leaves the new copy, the previous one, or both; `load` returns whichever exist,
 * newest first, and the engine skips a copy that does not decode.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResumeStore } from '@bitloom/engine';
import { StorageError, storageErrorFromSystem } from './errors.js';
import { makeDirectories } from './make-directories.js';

/** Keys become file names: only these characters (an info-hash in hex fits). */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** A resume file larger than this is not read (the engine's own limit is 24 MiB). */
const MAX_RESUME_FILE = 32 * 1024 * 1024;

export function createFileResumeStore(dir: string): ResumeStore {
  return new FileResumeStore(dir);
}

class FileResumeStore implements ResumeStore {
  constructor(private readonly dir: string) {}

  async load(key: string): Promise<readonly Uint8Array[]> {
    const file = this.fileFor(key);
    const copies: Uint8Array[] = [];
    for (const path of [file, `${file}.bak`]) {
      const bytes = await readIfThere(path);
      if (bytes) copies.push(bytes);
    }
    return copies;
  }

  async save(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.fileFor(key);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await makeDirectories(this.dir);
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // The previous copy stays as .bak: if the new one is ever unreadable, the engine falls back to it.
      await rename(file, `${file}.bak`).catch((error: { code?: string }) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rename(temp, file);
      await syncFolder(this.dir);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw storageErrorFromSystem(error, 'save resume data', file, 'STORAGE_IO');
    }
  }

  async remove(key: string): Promise<void> {
    const file = this.fileFor(key);
    await rm(file, { force: true });
    await rm(`${file}.bak`, { force: true });
  }

  private fileFor(key: string): string {
    if (!KEY_PATTERN.test(key))
      throw new StorageError('STORAGE_BAD_SPEC', `bad resume key ${JSON.stringify(key)}`);
    return join(this.dir, `${key}.resume`);
  }
}

async function readIfThere(path: string): Promise<Uint8Array | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_RESUME_FILE) return undefined;
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined; // missing or unreadable: the other copy, or a full check
  }
}

/** Makes the renames durable (a rename lives in the folder's own data). */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
