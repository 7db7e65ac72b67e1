/**
 * Writes and deletes a scratch file as large as one download before anything is timed. On a freshly booted
 * virtual machine the first write into memory the guest never touched is several times slower than later
 * writes (the host backs the pages on first touch: 230 MB/s against 3 GB/s measured here), so without this the
 * first client of a run pays for everyone. The pages freed by the delete are the ones the downloads reuse.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

const CHUNK_BYTES = 8 * 1024 * 1024;

export async function warmUpMemory(workDir, sizeMiB, log) {
  const file = join(workDir, 'warm-up.bin');
  const started = performance.now();
  const handle = await open(file, 'w');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES, 1);
    for (let written = 0; written < sizeMiB * 1024 * 1024; written += CHUNK_BYTES) await handle.write(chunk);
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  log(`warm-up: wrote and deleted ${sizeMiB} MiB in ${seconds.toFixed(2)} s`);
}
