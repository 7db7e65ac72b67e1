/**
 * Writes and deletes a scratch file as large as one download before anything is timed. On a freshly booted
 * virtual machine the first write into memory the guest never touched is several times slower than later
 * writes (the host backs the pages on first touch: 230 MB/s against 3 GB/s measured here), so without this the
 * first client of a run pays for everyone. The pages freed by the delete are the ones the downloads reuse.
 *
 * It cannot make later trials fair. This machine hands memory the guest frees back to the host (free page
 * reporting: /sys/module/page_reporting/parameters/reported_kib grew by 20 GB in half an hour of benchmarking),
 * and a page handed back costs a host fault on its next first touch: writing 1 GiB into the page cache took
 * 0.25 s or 3.6–8.3 s, alternating at random, minutes apart. Inside bitloom this showed as writes slowing to
 * ~100 MB/s about 950 MB into a download, where the pages freed by the previous trial's deleted download ran out.
 * A warm-up before every trial was tried and made things worse (its own pages were handed back before the trial
 * used them, and the warm-up itself took 4–10 s). Medians over several runs are the remedy; the CPU figures of
 * one trial include whatever the host charged for its faults.
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
