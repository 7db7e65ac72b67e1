/**
 * `npm run bench`: bitloom against real clients, in the same run, on loopback, in seven scenarios (see
 * bench/README.md): 1 leech from one seeder, 2 leech many files, 3 leech from many seeders, 4 seed, 5 check,
 * 6 scale (many torrents), 7 many peers. Each scenario prints a table of per-client medians and bitloom's ratios
 * to libtorrent; everything goes as JSON to bench/results/.
 */
import { rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LEECHERS, staleBitloomBuilds } from './lib/leechers.mjs';
import { ensureFilePayload, ensureFilesPayload, ensureManyTorrents } from './lib/payload.mjs';
import { killAllTracked, runToCompletion } from './lib/processes.mjs';
import { formatMarkdown, formatTable, ratios, summarise } from './lib/report.mjs';
import { runCheckScenario } from './lib/scenario-check.mjs';
import { runLeechScenario } from './lib/scenario-leech.mjs';
import { runManyPeersScenario } from './lib/scenario-many-peers.mjs';
import { runScaleScenario } from './lib/scenario-scale.mjs';
import { runSeedScenario } from './lib/scenario-seed.mjs';
import { SEEDER_NAMES } from './lib/seeders.mjs';
import { liveDirs } from './lib/trial.mjs';
import { warmUpMemory } from './lib/warm-up.mjs';

const PYTHON = '/usr/bin/python3';
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./libtorrent-bench.py', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const ALL_CLIENTS = [...new Set([...LEECHERS.map((leecher) => leecher.name), ...SEEDER_NAMES])];

/** Sizes per scenario: the issue's full sizes, and `--quick` ones that run the whole suite in a few minutes. */
const SIZES = {
  full: {
    leechMiB: 1024,
    filesMiB: 500,
    fileCount: 200,
    manySeedersMiB: 1024,
    seedMiB: 1024,
    checkMiB: 2048,
    scaleTorrents: 1000,
    scalePeers: 20,
    peersMiB: 64,
    peersSessions: 50,
    runs: 3,
  },
  quick: {
    leechMiB: 256,
    filesMiB: 100,
    fileCount: 200,
    manySeedersMiB: 256,
    seedMiB: 256,
    checkMiB: 512,
    scaleTorrents: 200,
    scalePeers: 20,
    peersMiB: 16,
    peersSessions: 20,
    runs: 1,
  },
};

const SCENARIOS = {
  1: 'leech, one seeder',
  2: 'leech, many files',
  3: 'leech, many seeders',
  4: 'seed',
  5: 'check',
  6: 'scale: many torrents',
  7: 'many peers',
};

const USAGE = `usage: npm run bench -- [options]
  --scenarios 1,2…  scenarios to run (default all): ${Object.entries(SCENARIOS)
    .map(([id, title]) => `${id} ${title}`)
    .join('; ')}
  --quick           small sizes and one run each: the whole suite in a few minutes
  --runs N          runs per client; tables show medians (default 3, 1 with --quick)
  --size MiB        payload of scenarios 1, 3 and 4 (default 1024; 256 with --quick)
  --piece-kib KiB   piece length of scenarios 1, 3, 4 and 7 (default 1024; a power of two)
  --only a,b        clients to run, of: ${ALL_CLIENTS.join(', ')}
  --timeout S       seconds one download may take (default 60 + MiB/4)
  --work-dir DIR    payload cache and download folders (default /tmp/bitloom-bench)
  --seed N          payload seed (default 1)`;

const log = (message) => process.stdout.write(`${message}\n`);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      size: { type: 'string' },
      'piece-kib': { type: 'string', default: '1024' },
      runs: { type: 'string' },
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
  const sizes = { ...SIZES[values.quick ? 'quick' : 'full'] };
  if (values.size !== undefined) {
    const size = positiveInteger(values.size, '--size', 64 * 1024);
    Object.assign(sizes, { leechMiB: size, manySeedersMiB: size, seedMiB: size });
  }
  const pieceKiB = positiveInteger(values['piece-kib'], '--piece-kib', 64 * 1024);
  if ((pieceKiB & (pieceKiB - 1)) !== 0 || pieceKiB < 16)
    usage('--piece-kib must be a power of two, at least 16');
  const clients = values.only ? values.only.split(',').map((name) => name.trim()) : ALL_CLIENTS;
  const unknown = clients.filter((name) => !ALL_CLIENTS.includes(name));
  if (unknown.length > 0) usage(`unknown client(s): ${unknown.join(', ')}`);
  const scenarios = values.scenarios
    ? values.scenarios.split(',').map((id) => id.trim())
    : Object.keys(SCENARIOS);
  const unknownScenarios = scenarios.filter((id) => !(id in SCENARIOS));
  if (unknownScenarios.length > 0) usage(`unknown scenario(s): ${unknownScenarios.join(', ')}`);
  return {
    scenarios,
    quick: values.quick,
    sizes,
    pieceLength: pieceKiB * 1024,
    runs: values.runs ? positiveInteger(values.runs, '--runs', 100) : sizes.runs,
    clients,
    timeoutSeconds: values.timeout ? positiveInteger(values.timeout, '--timeout', 86_400) : undefined,
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

/** Why each client cannot run here (missing tool or build), by name. */
async function unavailableClients(clients) {
  const unavailable = new Map();
  for (const leecher of LEECHERS) {
    if (!clients.includes(leecher.name)) continue;
    const reason = await leecher.unavailableReason();
    if (reason) unavailable.set(leecher.name, reason);
  }
  for (const [name, tool] of [
    ['transmission', 'transmission-daemon'],
    ['aria2', 'aria2c'],
  ]) {
    if (!clients.includes(name) || unavailable.has(name)) continue;
    const found = await runToCompletion('sh', ['-c', `command -v ${tool}`]).catch(() => '');
    if (!found.trim()) unavailable.set(name, `${tool} is not installed`);
  }
  return unavailable;
}

async function clientVersions(clients) {
  const versions = {
    libtorrent: (
      await runToCompletion(PYTHON, ['-c', 'import libtorrent; print(libtorrent.__version__)'])
    ).trim(),
  };
  for (const leecher of LEECHERS) {
    if (!clients.includes(leecher.name) || leecher.name === 'libtorrent') continue;
    versions[leecher.name] = await leecher
      .version({ python: PYTHON })
      .catch((error) => `? (${error.message})`);
  }
  if (clients.includes('transmission')) {
    versions.transmission =
      // It prints its version on stderr.
      (
        await runToCompletion('sh', ['-c', 'transmission-daemon -V 2>&1']).catch(
          (error) => `? (${error.message})`,
        )
      ).trim();
  }
  return versions;
}

/** Runs one scenario: its payload, its trials, its summaries. */
async function runScenario(id, context) {
  const { options } = context;
  const common = {
    workDir: options.workDir,
    seed: options.seed,
    python: PYTHON,
    torrentScript: LIBTORRENT_SCRIPT,
    log,
  };
  const sizes = options.sizes;
  const filePayload = (sizeMiB, pieceLength = options.pieceLength) =>
    ensureFilePayload({ ...common, sizeMiB, pieceLength });
  const leechers = LEECHERS.map((leecher) => leecher.name);
  switch (id) {
    case '1': {
      const payload = await filePayload(sizes.leechMiB);
      const result = await runLeechScenario(context, { id, payload, seeders: ['libtorrent'] });
      return {
        ...result,
        setup: `${sizes.leechMiB} MiB, one file, ${options.pieceLength / 1024} KiB pieces, libtorrent seeder`,
        payloadBytes: payload.totalBytes,
        clients: leechers,
      };
    }
    case '2': {
      const payload = await ensureFilesPayload({
        ...common,
        sizeMiB: sizes.filesMiB,
        fileCount: sizes.fileCount,
        minKiB: 1,
        maxKiB: 64 * 1024,
        pieceLength: 256 * 1024,
      });
      const result = await runLeechScenario(context, { id, payload, seeders: ['libtorrent'] });
      return {
        ...result,
        setup: `${sizes.filesMiB} MiB in ${sizes.fileCount} files of 1 KiB–64 MiB, 256 KiB pieces, libtorrent seeder`,
        payloadBytes: payload.totalBytes,
      };
    }
    case '3': {
      const payload = await filePayload(sizes.manySeedersMiB);
      const seeders = SEEDER_NAMES.filter(
        (name) => options.clients.includes(name) && !context.unavailable.has(name),
      );
      const result = await runLeechScenario(context, { id, payload, seeders });
      return {
        ...result,
        setup: `${sizes.manySeedersMiB} MiB, one file, from ${seeders.length} seeders at once (${seeders.join(', ')})`,
        payloadBytes: payload.totalBytes,
      };
    }
    case '4': {
      const payload = await filePayload(sizes.seedMiB);
      const seeders = SEEDER_NAMES.filter((name) => options.clients.includes(name));
      const result = await runSeedScenario(context, { id, payload, seeders });
      return {
        ...result,
        setup: `each client seeds ${sizes.seedMiB} MiB (one file) to one libtorrent leecher; CPU s and RSS are the seeder's`,
        payloadBytes: payload.totalBytes,
      };
    }
    case '5': {
      const payload = await filePayload(sizes.checkMiB);
      const result = await runCheckScenario(context, { id, payload });
      return {
        ...result,
        setup: `hash-check ${sizes.checkMiB} MiB of complete data (one file, ${options.pieceLength / 1024} KiB pieces, page cache warm)`,
        payloadBytes: payload.totalBytes,
      };
    }
    case '6': {
      const many = await ensureManyTorrents({
        ...common,
        count: sizes.scaleTorrents,
        fileKiB: 64,
        pieceLength: 16 * 1024,
      });
      const result = await runScaleScenario(context, { id, many, peers: sizes.scalePeers });
      return {
        ...result,
        setup: `one seeder, ${sizes.scaleTorrents} torrents of 64 KiB; then a libtorrent leecher fetches ${sizes.scalePeers} of them at once (${sizes.scalePeers} peers)`,
        payloadBytes: many.totalBytes,
      };
    }
    case '7': {
      const payload = await filePayload(sizes.peersMiB);
      const result = await runManyPeersScenario(context, { id, payload, sessions: sizes.peersSessions });
      return {
        ...result,
        setup: `one seeder, ${sizes.peersSessions} libtorrent leechers at once, ${sizes.peersMiB} MiB each; CPU s and RSS are the seeder's`,
        payloadBytes: payload.totalBytes,
      };
    }
    default:
      throw new Error(`no scenario ${id}`);
  }
}

function machineDetails() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage: os.loadavg(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

async function main() {
  const options = parseOptions();
  installInterruptHandlers();
  await mkdir(options.workDir, { recursive: true, mode: 0o755 });
  const scratchDir = join(options.workDir, 'scratch');
  await mkdir(scratchDir, { recursive: true });
  liveDirs.add(scratchDir);
  liveDirs.add(join(options.workDir, 'opentracker'));
  const versions = await clientVersions(options.clients).catch((error) => {
    throw new Error(`libtorrent for ${PYTHON} is needed (seeder and reference): ${error.message}`);
  });
  const unavailable = await unavailableClients(options.clients);
  if (options.clients.includes('bitloom')) {
    const stale = await staleBitloomBuilds();
    if (stale.length > 0)
      log(`warning: ${stale.join(', ')} changed since the last build: run \`npm run build\``);
  }
  const loadAtStart = os.loadavg();
  await warmUpMemory(options.workDir, options.sizes.leechMiB, log);
  const context = {
    options,
    log,
    python: PYTHON,
    libtorrentScript: LIBTORRENT_SCRIPT,
    scratchDir,
    unavailable,
    timeoutMs: (mib) => (options.timeoutSeconds ?? 60 + mib / 4) * 1000,
  };
  const results = {};
  try {
    for (const id of options.scenarios) {
      log(`\n== scenario ${id}: ${SCENARIOS[id]} ==`);
      const { columns, trials, setup, notes, payloadBytes } = await runScenario(id, context);
      const summaries = Object.fromEntries(
        Object.entries(trials).map(([name, list]) => [name, summarise(list, columns)]),
      );
      const ratioFigures = ratios(summaries, columns);
      log(`\nscenario ${id}, ${SCENARIOS[id]}: ${setup}; medians of ${options.runs}`);
      for (const note of notes ?? []) log(note);
      log(formatTable(summaries, columns, ratioFigures));
      results[id] = {
        title: SCENARIOS[id],
        setup,
        notes,
        payloadBytes,
        columns,
        summaries,
        ratiosBitloomToLibtorrent: ratioFigures,
        markdown: formatMarkdown(summaries, columns),
        trials,
      };
    }
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  const resultFile = join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const config = { ...options };
  const machine = { ...machineDetails(), loadAverageAtStart: loadAtStart };
  const record = { date: new Date().toISOString(), machine, config, versions, scenarios: results };
  await writeFile(resultFile, `${JSON.stringify(record, null, 2)}\n`);
  log(`\nresults: ${resultFile}`);
}

main().catch((error) => {
  killAllTracked();
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exit(1);
});
