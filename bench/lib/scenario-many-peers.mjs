/**
 * Scenario 7, many peers: one seeder, many leechers at once (50 libtorrent sessions in one process, each its own
 * peer with its own folder, without PEX so they cannot trade among themselves: every byte comes from the
 * seeder). MB/s is the seeder's aggregate upload: sessions × payload bytes / 10^6 / wall seconds from the
 * leechers' start to the last session's verified completion. CPU seconds are the seeder's while it served, peak
 * RSS the seeder's, and for bitloom the event loop's delay (p99 and max, sampled at 1 ms while it served).
 */
import { join } from 'node:path';
import { startSeeder } from './seeders.mjs';
import {
  compareWithPayload,
  fixed,
  MIB,
  measuredFailure,
  roundRobin,
  runLibtorrentLeecher,
  withFreshDir,
} from './trial.mjs';

export const MANY_PEERS_COLUMNS = [
  { key: 'megabytesPerSecond', title: 'upload MB/s', digits: 1, better: 'higher' },
  { key: 'wallSeconds', title: 'wall s', digits: 2 },
  { key: 'cpuSeconds', title: 'CPU s', digits: 2, better: 'lower' },
  { key: 'peakRssMiB', title: 'peak RSS MiB', digits: 0, better: 'lower' },
  { key: 'loopDelayP99Ms', title: 'loop delay p99 ms', digits: 1 },
  { key: 'loopDelayMaxMs', title: 'loop delay max ms', digits: 1 },
];

export async function runManyPeersScenario(context, { id, payload, sessions }) {
  const { options, log } = context;
  const clients = ['bitloom', 'libtorrent'].filter((name) => options.clients.includes(name));
  const totalBytes = payload.totalBytes * sessions;
  const timeoutMs = context.timeoutMs(totalBytes / MIB) + 60_000;
  const trials = await roundRobin({
    clients,
    runs: options.runs,
    log,
    label: `[${id}]`,
    describe: (trial) =>
      `${trial.metrics.megabytesPerSecond.toFixed(1)} MB/s up, ${fixed(trial.metrics.cpuSeconds, 2)} CPU s, ` +
      `${fixed(trial.metrics.peakRssMiB, 0)} MiB RSS, loop delay p99 ${fixed(trial.metrics.loopDelayP99Ms, 1)} ms`,
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
        let stats = null;
        try {
          const before = await seeder.usage();
          const measured = await runLibtorrentLeecher(context, {
            torrentFiles: [payload.torrentFile],
            downloadDir,
            seederPort: seeder.port,
            timeoutMs,
            extraArgs: ['--sessions', String(sessions)],
          });
          const after = await seeder.usage();
          stats = await seeder.stop();
          if (!measured.ok) return { ...measured, failure: measuredFailure(measured, timeoutMs) };
          for (const session of [0, sessions - 1]) {
            const mismatch = await compareWithPayload(join(downloadDir, String(session)), payload);
            if (mismatch) return { ...measured, ok: false, failure: mismatch };
          }
          return {
            ...measured,
            seederStats: stats,
            metrics: {
              megabytesPerSecond: totalBytes / 1e6 / measured.wallSeconds,
              wallSeconds: measured.wallSeconds,
              cpuSeconds:
                after.cpuSeconds === null || before.cpuSeconds === null
                  ? null
                  : after.cpuSeconds - before.cpuSeconds,
              peakRssMiB: after.peakRssBytes === null ? null : after.peakRssBytes / MIB,
              loopDelayP99Ms: stats?.eventLoopDelayMs?.p99 ?? null,
              loopDelayMaxMs: stats?.eventLoopDelayMs?.max ?? null,
            },
          };
        } finally {
          if (stats === null) await seeder.stop();
        }
      });
    },
  });
  return { columns: MANY_PEERS_COLUMNS, trials };
}
