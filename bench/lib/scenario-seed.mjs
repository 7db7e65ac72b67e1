/**
 * Scenario 4, seeding: each seeder in turn (a fresh process, its data checked or trusted before the clock
 * starts) serves the payload to one libtorrent leecher. MB/s is the leecher's (process start to verified
 * completion); CPU seconds are the seeder's while it served (sampled from /proc when it became ready and when the
 * leecher finished, so bitloom's and Transmission's start-up check does not count); peak RSS is the seeder's.
 */
import { startSeeder } from './seeders.mjs';
import {
  compareWithPayload,
  describeTransfer,
  MIB,
  measuredFailure,
  roundRobin,
  runLibtorrentLeecher,
  TRANSFER_COLUMNS,
  withFreshDir,
} from './trial.mjs';

export async function runSeedScenario(context, { id, payload, seeders }) {
  const { options, log } = context;
  const timeoutMs = context.timeoutMs(payload.totalBytes / MIB);
  const trials = await roundRobin({
    clients: seeders,
    runs: options.runs,
    log,
    label: `[${id}]`,
    describe: describeTransfer,
    trial: async (kind, runIndex) => {
      const reason = context.unavailable.get(kind);
      if (reason) return { ok: false, failure: `not run: ${reason}` };
      return withFreshDir(options.workDir, `${id}-${kind}-run${runIndex + 1}`, async (downloadDir) => {
        const seeder = await startSeeder(kind, {
          python: context.python,
          torrentFiles: [payload.torrentFile],
          dataDir: payload.dir,
          scratchDir: context.scratchDir,
        });
        try {
          const before = await seeder.usage();
          const measured = await runLibtorrentLeecher(context, {
            torrentFiles: [payload.torrentFile],
            downloadDir,
            seederPort: seeder.port,
            timeoutMs,
          });
          const after = await seeder.usage();
          if (!measured.ok) return { ...measured, failure: measuredFailure(measured, timeoutMs) };
          const mismatch = await compareWithPayload(downloadDir, payload);
          if (mismatch) return { ...measured, ok: false, failure: mismatch };
          return {
            ...measured,
            seederUsage: { before, after },
            metrics: {
              megabytesPerSecond: payload.totalBytes / 1e6 / measured.wallSeconds,
              wallSeconds: measured.wallSeconds,
              cpuSeconds:
                after.cpuSeconds === null || before.cpuSeconds === null
                  ? null
                  : after.cpuSeconds - before.cpuSeconds,
              peakRssMiB: after.peakRssBytes === null ? null : after.peakRssBytes / MIB,
            },
          };
        } finally {
          await seeder.stop();
        }
      });
    },
  });
  return { columns: TRANSFER_COLUMNS, trials };
}
