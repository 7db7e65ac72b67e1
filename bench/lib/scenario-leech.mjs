/**
 * Scenarios 1–3, leeching: each leecher in turn downloads the payload into an empty folder from fresh seeders
 * (one libtorrent seeder, or one of each seeder kind at once), timed from process start to verified completion.
 * aria2 finds peers only through a tracker, so when it is in the run an opentracker is started for the payload
 * and the seeders announce to it first.
 */
import { LEECHERS } from './leechers.mjs';
import { startOpentracker } from './opentracker.mjs';
import { freePort, runMeasured } from './processes.mjs';
import { startSeeder } from './seeders.mjs';
import {
  compareWithPayload,
  describeTransfer,
  MIB,
  measuredFailure,
  roundRobin,
  TRANSFER_COLUMNS,
  withFreshDir,
} from './trial.mjs';

/**
 * @param context the runner's context (options, log, python, libtorrentScript, scratchDir, unavailable)
 * @param {{ id, payload, seeders: string[] }} scenario
 */
export async function runLeechScenario(context, { id, payload, seeders }) {
  const { options, log } = context;
  const leechers = LEECHERS.filter((leecher) => options.clients.includes(leecher.name));
  const runnable = leechers.filter((leecher) => !context.unavailable.has(leecher.name));
  const tracker = runnable.some((leecher) => leecher.needsTracker)
    ? await startOpentracker({ workDir: options.workDir, infoHash: payload.infoHash })
    : null;
  const timeoutMs = context.timeoutMs(payload.totalBytes / MIB);
  try {
    const trials = await roundRobin({
      clients: leechers.map((leecher) => leecher.name),
      runs: options.runs,
      log,
      label: `[${id}]`,
      describe: describeTransfer,
      trial: async (name, runIndex) => {
        const reason = context.unavailable.get(name);
        if (reason) return { ok: false, failure: `not run: ${reason}` };
        const leecher = leechers.find((candidate) => candidate.name === name);
        return withFreshDir(options.workDir, `${id}-${name}-run${runIndex + 1}`, (downloadDir) =>
          downloadOnce(context, { leecher, payload, seeders, tracker, downloadDir, timeoutMs }),
        );
      },
    });
    return { columns: TRANSFER_COLUMNS, trials };
  } finally {
    await tracker?.stop();
  }
}

async function downloadOnce(context, { leecher, payload, seeders, tracker, downloadDir, timeoutMs }) {
  const started = [];
  try {
    const trackerUrl = leecher.needsTracker ? tracker?.announceUrl : undefined;
    for (const kind of seeders) {
      started.push(
        await startSeeder(kind, {
          python: context.python,
          torrentFiles: [payload.torrentFile],
          dataDir: payload.dir,
          trackerUrl,
          scratchDir: context.scratchDir,
        }),
      );
    }
    const { command, args, cwd, env } = leecher.command({
      payload,
      downloadDir,
      seederPorts: started.map((seeder) => seeder.port),
      trackerUrl: tracker?.announceUrl,
      listenPort: await freePort(),
      python: context.python,
      libtorrentScript: context.libtorrentScript,
      timeoutSeconds: timeoutMs / 1000,
    });
    const measured = await runMeasured(command, args, {
      cwd,
      env,
      timeoutMs,
      scratchDir: context.scratchDir,
      isCompletionLine: leecher.isCompletionLine,
    });
    if (!measured.ok) return { ...measured, failure: measuredFailure(measured, timeoutMs) };
    const mismatch = await compareWithPayload(downloadDir, payload);
    if (mismatch) return { ...measured, ok: false, failure: mismatch };
    return { ...measured, metrics: transferMetrics(payload.totalBytes, measured) };
  } finally {
    for (const seeder of started) await seeder.stop();
  }
}

/** MB/s, wall, CPU and RSS of one measured client run. */
export function transferMetrics(totalBytes, measured) {
  return {
    megabytesPerSecond: totalBytes / 1e6 / measured.wallSeconds,
    wallSeconds: measured.wallSeconds,
    cpuSeconds: measured.cpuUserSeconds === null ? null : measured.cpuUserSeconds + measured.cpuSystemSeconds,
    peakRssMiB: measured.peakRssBytes === null ? null : measured.peakRssBytes / MIB,
  };
}
