/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` never settles (it spins a libuv
 * thread at 100% CPU) when an existing parent cannot hold children but answers ENOENT rather than an error of its
 * own: a dangling symlink, or a path below /proc. A download folder or a file path from the user can be either,
 * so folders are created one level at a time, and an ENOENT below a parent that exists is final.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

function notADirectory(path: string): Error {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
    code: 'ENOTDIR',
    syscall: 'mkdir',
    path,
  });
}

/** Creates `path` and any missing parents; resolves once `path` is a folder, rejects with the system error. */
export async function makeDirectories(path: string): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let current = target; ; ) {
    try {
      if ((await stat(current)).isDirectory()) break;
      throw notADirectory(current);
    } catch (error) {
      const parent = dirname(current);
      if (errorCode(error) !== 'ENOENT' || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      // EEXIST: made meanwhile by someone else, or a dangling symlink, which the next level or the check below
      // turns into an error.
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  if (!(await stat(target)).isDirectory()) throw notADirectory(target);
}
