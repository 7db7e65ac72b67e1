/**
 * The download folder is checked before any peer is contacted: storage creates files only on the first write,
 * so without this a folder that cannot exist (`-o /proc/x`, a path below a file, a read-only disk) would show
 * as a download that never starts rather than as an error.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { BitloomError } from '@bitloom/engine';
import { makeDirectories } from '@bitloom/node';
import { describeError } from './errors.js';

/** Creates `dir` (and its parents) if needed and checks that it is a writable folder. */
export async function ensureDownloadFolder(dir: string): Promise<void> {
  try {
    await makeDirectories(dir);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new BitloomError('CLI_DOWNLOAD_FOLDER', `cannot download into ${dir}: ${describeError(error)}`, {
      cause: error,
    });
  }
}
