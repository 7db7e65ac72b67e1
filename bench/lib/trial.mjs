/**
 * What every scenario shares: a fresh download folder per trial (deleted afterwards, also on Ctrl-C), the check
 * that a download holds exactly the payload, short failure texts, and the round-robin loop over clients and runs
 * (all clients once, then again, so drift in the machine's load spreads over all of them).
 */
import { mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runMeasured, runToCompletion } from './processes.mjs';

const FAILURE_SUMMARY_CHARS = 300;

/** Folders in use, removed on Ctrl-C too. */
export const liveDirs = new Set();

/** Runs `body(dir)` with a fresh empty folder under the work dir, removed afterwards. */
export async function withFreshDir(workDir, label, body) {
  const dir = join(workDir, 'downloads', label);
  await rm(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  liveDirs.add(dir);
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}

/** null when every payload file under `downloadDir` holds exactly the payload's bytes, else why not. */
export async function compareWithPayload(downloadDir, payload) {
  for (let index = 0; index < payload.files.length; index++) {
    const file = join(downloadDir, payload.files[index]);
    const [expected, actual] = [await size(payload.dataFiles[index]), await size(file)];
    if (actual === null) return `no file at ${file} after the client exited 0`;
    if (actual !== expected) return `${file} has ${actual} bytes, expected ${expected}`;
    if (expected === 0) continue;
    try {
      await runToCompletion('cmp', ['-s', payload.dataFiles[index], file]);
    } catch {
      return `${file} differs from the payload`;
    }
  }
  return null;
}

async function size(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

/** The first error line of a client's output (a stack trace's first line says more than its last frames). */
export function shortFailure(text) {
  const errorLine = String(text)
    .split('\n')
    .find((line) => /error/i.test(line) && !/^\s+at /.test(line));
  const flat = (errorLine ?? String(text)).trim().replace(/\s+/g, ' ');
  return flat.length > FAILURE_SUMMARY_CHARS
    ? `...${flat.slice(-FAILURE_SUMMARY_CHARS)}`
    : flat || '(no output)';
}

/** Why a measured run failed, in one line. */
export function measuredFailure(measured, timeoutMs) {
  const why = measured.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${measured.exitCode}`;
  return `${why}: ${shortFailure(measured.output)}`;
}

/**
 * Calls `trial(client, runIndex)` for every run and client, round-robin; a throw is a failed trial. Logs one line
 * per trial through `describe(trial)`. Returns `{ [client]: trial[] }`.
 */
export async function roundRobin({ clients, runs, log, label, trial, describe }) {
  const trials = Object.fromEntries(clients.map((client) => [client, []]));
  for (let runIndex = 0; runIndex < runs; runIndex++) {
    // Each run starts with the next client: what a trial leaves behind (its freed memory, see warm-up.mjs) then
    // falls on a different client each run instead of always on the same one.
    const order = clients.map((_, i) => clients[(i + runIndex) % clients.length]);
    for (const client of order) {
      let result;
      try {
        result = await trial(client, runIndex);
      } catch (error) {
        result = { ok: false, failure: `setup failed: ${shortFailure(error?.message ?? error)}` };
      }
      trials[client].push(result);
      log(
        `${label} run ${runIndex + 1}/${runs} ${client}: ${result.ok ? describe(result) : `FAILED: ${result.failure}`}`,
      );
    }
  }
  return trials;
}

/** The standard per-client columns: throughput, wall time, CPU and memory. */
export const TRANSFER_COLUMNS = [
  { key: 'megabytesPerSecond', title: 'MB/s', digits: 1, better: 'higher' },
  { key: 'wallSeconds', title: 'wall s', digits: 2 },
  { key: 'cpuSeconds', title: 'CPU s', digits: 2, better: 'lower' },
  { key: 'peakRssMiB', title: 'peak RSS MiB', digits: 0, better: 'lower' },
];

export function describeTransfer(trial) {
  const m = trial.metrics;
  return `${m.megabytesPerSecond.toFixed(1)} MB/s, ${fixed(m.cpuSeconds, 2)} CPU s, ${fixed(m.peakRssMiB, 0)} MiB RSS`;
}

export function fixed(value, digits) {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

export const MIB = 1024 * 1024;

/**
 * Runs bench/libtorrent-bench.py as a leecher of `torrentFiles` into `downloadDir`, dialling only the seeder on
 * `seederPort`, timed from process start to its `complete` line (the measurement every seeding scenario takes).
 */
export function runLibtorrentLeecher(
  context,
  { torrentFiles, downloadDir, seederPort, timeoutMs, extraArgs = [] },
) {
  return runMeasured(
    context.python,
    [
      context.libtorrentScript,
      'leech',
      ...torrentFiles,
      downloadDir,
      '--connect',
      `127.0.0.1:${seederPort}`,
      ...extraArgs,
    ],
    { timeoutMs, scratchDir: context.scratchDir, isCompletionLine: (line) => line?.event === 'complete' },
  );
}
