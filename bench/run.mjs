/**
 * `npm run bench`: download throughput of bitloom against real clients, in the same run, on loopback.
 * One single-file torrent of seeded random bytes is seeded by libtorrent; bitloom, libtorrent, WebTorrent and
 * aria2 each download it in turn (a fresh seeder and an empty folder for every download). For each it prints
 * MB/s (payload bytes / wall time from process start to exit after verified completion), CPU seconds of the
 * leecher's process tree and its peak RSS, then bitloom's ratios to libtorrent, and writes everything as JSON to
 * bench/results/. See bench/README.md.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LEECHERS, staleBitloomBuilds } from './lib/leechers.mjs';
import { startOpentracker } from './lib/opentracker.mjs';
import { ensurePayload } from './lib/payload.mjs';
import { freePort, killAllTracked, runMeasured, runToCompletion } from './lib/processes.mjs';
import { formatTable, ratios, summarise } from './lib/report.mjs';
import { startSeeder } from './lib/seeder.mjs';

const PYTHON = '/usr/bin/python3';
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./libtorrent-bench.py', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const FAILURE_SUMMARY_CHARS = 300;
const USAGE = `usage: npm run bench -- [options]
  --size MiB        payload size (default 1024)
  --piece-kib KiB   piece length (default 1024; a power of two)
  --runs N          downloads per client; the table shows medians (default 1)
  --only a,b        clients to run, of: ${LEECHERS.map((leecher) => leecher.name).join(', ')}
  --timeout S       seconds one download may take (default 60 + size/4)
  --work-dir DIR    payload cache and download folders (default /tmp/bitloom-bench)
  --seed N          payload seed (default 1)`;

const log = (message) => process.stdout.write(`${message}\n`);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1024' },
      'piece-kib': { type: 'string', default: '1024' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string' },
      timeout: { type: 'string' },
      'work-dir': { type: 'string', default: '/tmp/bitloom-bench' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const sizeMiB = positiveInteger(values.size, '--size', 64 * 1024);
  const pieceKiB = positiveInteger(values['piece-kib'], '--piece-kib', 64 * 1024);
  if ((pieceKiB & (pieceKiB - 1)) !== 0 || pieceKiB < 16)
    usage('--piece-kib must be a power of two, at least 16');
  const names = values.only ? values.only.split(',').map((name) => name.trim()) : LEECHERS.map((l) => l.name);
  const unknown = names.filter((name) => !LEECHERS.some((leecher) => leecher.name === name));
  if (unknown.length > 0) usage(`unknown client(s): ${unknown.join(', ')}`);
  return {
    sizeMiB,
    pieceLength: pieceKiB * 1024,
    runs: positiveInteger(values.runs, '--runs', 100),
    leechers: LEECHERS.filter((leecher) => names.includes(leecher.name)),
    timeoutMs:
      (values.timeout ? positiveInteger(values.timeout, '--timeout', 86_400) : 60 + sizeMiB / 4) * 1000,
    workDir: values['work-dir'],
    seed: positiveInteger(values.seed, '--seed', 2 ** 31),
  };
}

function positiveInteger(text, flag, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    usage(`${flag} must be an integer from 1 to ${max}`);
  return value;
}

function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Download, scratch and tracker folders in use, removed on Ctrl-C too. */
const liveDirs = new Set();

function installInterruptHandlers() {
  const interrupt = (signal) => {
    process.stderr.write(`\nbench: ${signal}, stopping the clients it started\n`);
    killAllTracked();
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // Children run in process groups of their own, so nothing else would stop them if the runner died.
  process.once('exit', killAllTracked);
  // `npm run bench | head` closes stdout early: keep running and stay quiet rather than crash.
  process.stdout.on('error', () => {});
}

/** One timed download by one client; never throws, a failure is part of the result. */
async function downloadOnce(leecher, { options, payload, tracker, runIndex }) {
  const downloadDir = join(options.workDir, 'downloads', `${leecher.name}-run${runIndex + 1}`);
  await rm(downloadDir, { recursive: true, force: true });
  mkdirSync(downloadDir, { recursive: true });
  liveDirs.add(downloadDir);
  let seeder;
  try {
    seeder = await startSeeder({
      python: PYTHON,
      script: LIBTORRENT_SCRIPT,
      payload,
      trackerUrl: leecher.needsTracker ? tracker?.announceUrl : undefined,
    });
    const { command, args, cwd } = leecher.command({
      payload,
      downloadDir,
      seederPort: seeder.port,
      trackerUrl: tracker?.announceUrl,
      listenPort: await freePort(),
      python: PYTHON,
      libtorrentScript: LIBTORRENT_SCRIPT,
      timeoutSeconds: options.timeoutMs / 1000,
    });
    const measured = await runMeasured(command, args, {
      cwd,
      timeoutMs: options.timeoutMs,
      scratchDir: join(options.workDir, 'scratch'),
      isCompletionLine: leecher.isCompletionLine,
    });
    if (!measured.ok) {
      const why = measured.timedOut
        ? `timed out after ${options.timeoutMs / 1000} s`
        : `exit ${measured.exitCode}`;
      return { ...measured, failure: `${why}: ${lastLines(measured.output)}` };
    }
    const mismatch = await compareWithPayload(join(downloadDir, payload.name), payload);
    return mismatch ? { ...measured, ok: false, failure: mismatch } : measured;
  } catch (error) {
    return { ok: false, failure: `setup failed: ${lastLines(String(error?.message ?? error))}` };
  } finally {
    await seeder?.stop();
    await rm(downloadDir, { recursive: true, force: true });
    liveDirs.delete(downloadDir);
  }
}

/** null when `file` holds exactly the payload's bytes, else why not. */
async function compareWithPayload(file, payload) {
  let size;
  try {
    size = (await stat(file)).size;
  } catch {
    return `no file at ${file} after the client exited 0`;
  }
  if (size !== payload.totalBytes) return `downloaded file has ${size} bytes, expected ${payload.totalBytes}`;
  try {
    await runToCompletion('cmp', ['-s', payload.dataFile, file]);
    return null;
  } catch {
    return 'downloaded file differs from the payload';
  }
}

function lastLines(text) {
  // A stack trace's first error line says more than its last frames.
  const errorLine = text.split('\n').find((line) => /error/i.test(line) && !/^\s+at /.test(line));
  const flat = (errorLine ?? text).trim().replace(/\s+/g, ' ');
  return flat.length > FAILURE_SUMMARY_CHARS
    ? `...${flat.slice(-FAILURE_SUMMARY_CHARS)}`
    : flat || '(no output)';
}

async function clientVersions(leechers) {
  const versions = {};
  versions.libtorrentSeeder = (
    await runToCompletion(PYTHON, ['-c', 'import libtorrent; print(libtorrent.__version__)'])
  ).trim();
  for (const leecher of leechers) {
    versions[leecher.name] = await leecher
      .version({ python: PYTHON })
      .catch((error) => `? (${error.message})`);
  }
  return versions;
}

async function main() {
  const options = parseOptions();
  installInterruptHandlers();
  await mkdir(options.workDir, { recursive: true, mode: 0o755 });
  const scratchDir = join(options.workDir, 'scratch');
  await mkdir(scratchDir, { recursive: true });
  liveDirs.add(scratchDir);
  liveDirs.add(join(options.workDir, 'opentracker'));
  const versions = await clientVersions(options.leechers).catch((error) => {
    throw new Error(`libtorrent for ${PYTHON} is needed for the seeder: ${error.message}`);
  });
  const payload = await ensurePayload({
    workDir: options.workDir,
    sizeMiB: options.sizeMiB,
    pieceLength: options.pieceLength,
    seed: options.seed,
    python: PYTHON,
    torrentScript: LIBTORRENT_SCRIPT,
    log,
  });

  const unavailable = new Map();
  for (const leecher of options.leechers) {
    const reason = await leecher.unavailableReason();
    if (reason) unavailable.set(leecher.name, reason);
  }
  if (options.leechers.some((leecher) => leecher.name === 'bitloom')) {
    const stale = await staleBitloomBuilds();
    if (stale.length > 0)
      log(`warning: ${stale.join(', ')} changed since the last build: run \`npm run build\``);
  }
  const trackerNeeded = options.leechers.some((l) => l.needsTracker && !unavailable.has(l.name));
  const tracker = trackerNeeded
    ? await startOpentracker({ workDir: options.workDir, infoHash: payload.infoHash })
    : null;

  const trials = Object.fromEntries(options.leechers.map((leecher) => [leecher.name, []]));
  try {
    // Round-robin over the clients, so drift in the machine's load spreads over all of them.
    for (let runIndex = 0; runIndex < options.runs; runIndex++) {
      for (const leecher of options.leechers) {
        const reason = unavailable.get(leecher.name);
        const trial = reason
          ? { ok: false, failure: `not run: ${reason}` }
          : await downloadOnce(leecher, { options, payload, tracker, runIndex });
        trials[leecher.name].push(trial);
        const figures = trial.ok
          ? `${(payload.totalBytes / 1e6 / trial.wallSeconds).toFixed(1)} MB/s, ` +
            `${(trial.cpuUserSeconds + trial.cpuSystemSeconds).toFixed(2)} CPU s, ` +
            `${((trial.peakRssBytes ?? 0) / 1024 / 1024).toFixed(0)} MiB RSS`
          : `FAILED: ${trial.failure}`;
        log(`run ${runIndex + 1}/${options.runs} ${leecher.name}: ${figures}`);
      }
    }
  } finally {
    await tracker?.stop();
    await rm(scratchDir, { recursive: true, force: true });
  }

  const summaries = Object.fromEntries(
    Object.entries(trials).map(([name, list]) => [name, summarise(list, payload.totalBytes)]),
  );
  const ratioFigures = ratios(summaries);
  log('');
  log(`${options.sizeMiB} MiB, ${options.pieceLength / 1024} KiB pieces, libtorrent seeder on 127.0.0.1`);
  log(formatTable(summaries, ratioFigures));

  await mkdir(RESULTS_DIR, { recursive: true });
  const resultFile = join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage: os.loadavg(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
  const config = { ...options, leechers: options.leechers.map((l) => l.name) };
  const record = { date: new Date().toISOString(), machine, config, versions, payload, summaries, trials };
  record.ratiosBitloomToLibtorrent = ratioFigures;
  await writeFile(resultFile, `${JSON.stringify(record, null, 2)}\n`);
  log(`\nresults: ${resultFile}`);
}

main().catch((error) => {
  killAllTracked();
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exit(1);
});
