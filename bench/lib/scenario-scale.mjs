/**
 * Scenario 6, scale: one seeder process seeds many small torrents (1,000 by default), then a libtorrent leecher
 * downloads the first 20 of them from it at once (one connection per torrent, 20 connected peers).
 * Start-up = process start until every torrent is checked (bitloom) or added (libtorrent, seed_mode) and the
 * seeder reports ready. Then the 20 downloads are timed from the leecher's start to its verified completion.
 * CPU seconds and peak RSS are the seeder's whole life, sampled from /proc before it stops.
 */
import { startSeeder } from './seeders.mjs';
import { fixed, MIB, measuredFailure, roundRobin, runLibtorrentLeecher, withFreshDir } from './trial.mjs';

export const SCALE_COLUMNS = [
  { key: 'startupSeconds', title: 'start-up s', digits: 2, better: 'lower' },
  { key: 'peersSeconds', title: 'peers done s', digits: 2, better: 'lower' },
  { key: 'cpuSeconds', title: 'CPU s', digits: 2, better: 'lower' },
  { key: 'peakRssMiB', title: 'peak RSS MiB', digits: 0, better: 'lower' },
];

export async function runScaleScenario(context, { id, many, peers }) {
  const { options, log } = context;
  const clients = ['bitloom', 'libtorrent'].filter((name) => options.clients.includes(name));
  const served = many.torrents.slice(0, peers);
  const timeoutMs = context.timeoutMs(many.totalBytes / MIB) + 60_000;
  const trials = await roundRobin({
    clients,
    runs: options.runs,
    log,
    label: `[${id}]`,
    describe: (trial) =>
      `start-up ${fixed(trial.metrics.startupSeconds, 2)} s, ${peers} peers done in ${fixed(trial.metrics.peersSeconds, 2)} s, ` +
      `${fixed(trial.metrics.cpuSeconds, 2)} CPU s, ${fixed(trial.metrics.peakRssMiB, 0)} MiB RSS`,
    trial: async (kind, runIndex) => {
      const reason = context.unavailable.get(kind);
      if (reason) return { ok: false, failure: `not run: ${reason}` };
      const spawnedAt = performance.now();
      const seeder = await startSeeder(kind, {
        python: context.python,
        torrentFiles: many.torrents.map((torrent) => torrent.torrentFile),
        dataDir: many.dataDir,
        scratchDir: context.scratchDir,
      });
      const startupSeconds = (performance.now() - spawnedAt) / 1000;
      try {
        return await withFreshDir(
          options.workDir,
          `${id}-${kind}-run${runIndex + 1}`,
          async (downloadDir) => {
            const measured = await runLibtorrentLeecher(context, {
              torrentFiles: served.map((torrent) => torrent.torrentFile),
              downloadDir,
              seederPort: seeder.port,
              timeoutMs,
            });
            const usage = await seeder.usage();
            if (!measured.ok) return { ...measured, failure: measuredFailure(measured, timeoutMs) };
            return {
              ...measured,
              seederReady: seeder.ready,
              metrics: {
                startupSeconds,
                peersSeconds: measured.wallSeconds,
                cpuSeconds: usage.cpuSeconds,
                peakRssMiB: usage.peakRssBytes === null ? null : usage.peakRssBytes / MIB,
              },
            };
          },
        );
      } finally {
        await seeder.stop();
      }
    },
  });
  return { columns: SCALE_COLUMNS, trials };
}
