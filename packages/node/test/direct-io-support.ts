/** Whether `dir`'s file system opens files with O_DIRECT (ext4, xfs, btrfs; tmpfs since Linux 6.6). */
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function directSupported(dir: string): boolean {
  const probe = join(dir, 'direct-io-probe');
  writeFileSync(probe, '');
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  }
}
