/**
 * Scenario 5, checking: each client hash-checks complete existing data (a hard link of the payload in a fresh
 * folder, so nothing can touch the cached payload) and reports it complete. bitloom runs `download --recheck`
 * when the command has it, else a plain `download` of the complete folder, which checks every piece on start-up
 * the same way; its only peer is a closed port, so it has nothing else to do. libtorrent adds the torrent without
 * seed_mode, which checks every piece (what force_recheck does), and reports when the check is done.
 * Timed from process start; GB/s = payload bytes / 10^9 / wall seconds.
 */
import { link } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BITLOOM_BIN, bitloomCliArgs } from './bitloom-cli.mjs';
import { bitloomEnv } from './leechers.mjs';
import { runMeasured, runToCompletion } from './processes.mjs';
import { transferMetrics } from './scenario-leech.mjs';
import { MIB, measuredFailure, roundRobin, withFreshDir } from './trial.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLOSED_PORT = 9;

export const CHECK_COLUMNS = [
  { key: 'gigabytesPerSecond', title: 'GB/s', digits: 2, better: 'higher' },
  { key: 'wallSeconds', title: 'wall s', digits: 2 },
  { key: 'cpuSeconds', title: 'CPU s', digits: 2, better: 'lower' },
  { key: 'peakRssMiB', title: 'peak RSS MiB', digits: 0, better: 'lower' },
];

export async function runCheckScenario(context, { id, payload }) {
  const { options, log } = context;
  const clients = ['bitloom', 'libtorrent'].filter((name) => options.clients.includes(name));
  const help = await runToCompletion(process.execPath, [BITLOOM_BIN, 'download', '--help']).catch(() => '');
  const recheck = help.includes('--recheck');
  const timeoutMs = context.timeoutMs(payload.totalBytes / MIB);
  const trials = await roundRobin({
    clients,
    runs: options.runs,
    log,
    label: `[${id}]`,
    describe: (trial) =>
      `${trial.metrics.gigabytesPerSecond.toFixed(2)} GB/s, ${trial.metrics.cpuSeconds?.toFixed(2)} CPU s`,
    trial: async (name, runIndex) => {
      const reason = context.unavailable.get(name);
      if (reason) return { ok: false, failure: `not run: ${reason}` };
      return withFreshDir(options.workDir, `${id}-${name}-run${runIndex + 1}`, async (dir) => {
        for (let index = 0; index < payload.files.length; index++) {
          await link(payload.dataFiles[index], join(dir, payload.files[index]));
        }
        const [command, args] =
          name === 'bitloom'
            ? [
                process.execPath,
                bitloomCliArgs([
                  'download',
                  payload.torrentFile,
                  '-o',
                  dir,
                  '--peer',
                  `127.0.0.1:${CLOSED_PORT}`,
                  '--listen',
                  '127.0.0.1',
                  '--no-dht',
                  '--quiet',
                  ...(recheck ? ['--recheck'] : []),
                ]),
              ]
            : [context.python, [context.libtorrentScript, 'check', payload.torrentFile, dir]];
        const measured = await runMeasured(command, args, {
          cwd: REPO_ROOT,
          ...(name === 'bitloom' && { env: bitloomEnv(dir) }),
          timeoutMs,
          scratchDir: context.scratchDir,
          isCompletionLine: name === 'libtorrent' ? (line) => line?.event === 'complete' : undefined,
        });
        if (!measured.ok) return { ...measured, failure: measuredFailure(measured, timeoutMs) };
        const metrics = transferMetrics(payload.totalBytes, measured);
        return {
          ...measured,
          bitloomMode:
            name === 'bitloom' ? (recheck ? 'download --recheck' : 'download (start-up check)') : undefined,
          metrics: {
            gigabytesPerSecond: metrics.megabytesPerSecond / 1000,
            wallSeconds: metrics.wallSeconds,
            cpuSeconds: metrics.cpuSeconds,
            peakRssMiB: metrics.peakRssMiB,
          },
        };
      });
    },
  });
  return {
    columns: CHECK_COLUMNS,
    trials,
    notes: [
      recheck
        ? 'bitloom: download --recheck'
        : 'bitloom: download of complete data (start-up check; no --recheck yet)',
    ],
  };
}
