/**
 * `npm run bench:rate-limit`: does `bitloom download --max-down` hold in real time? bitloom downloads from a
 * libtorrent seeder on loopback (which alone would go at hundreds of MB/s) with `--max-down 2M` and `--json`; the
 * runner timestamps each `progress` event (one a second) as it arrives and prints the rate achieved in every
 * second and over the whole window (20 s by default, from the first payload byte), and how far that is from the
 * limit. Exits 0 when the overall rate is within the tolerance (10 %), 1 when not. See bench/README.md.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bitloomCliArgs } from './lib/bitloom-cli.mjs';
import { ensureFilePayload } from './lib/payload.mjs';
import { killAllTracked, spawnTracked, stopGroup } from './lib/processes.mjs';
import { startSeeder } from './lib/seeders.mjs';

const PYTHON = '/usr/bin/python3';
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./libtorrent-bench.py', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const MIB = 1024 * 1024;
const PIECE_LENGTH = 256 * 1024;
/** How long bitloom may take to connect and receive its first byte. */
const FIRST_BYTE_TIMEOUT_MS = 60_000;
const USAGE = `usage: npm run bench:rate-limit -- [options]
  --rate R          the --max-down given to bitloom, e.g. 2M, 500K (default 2M = 2 MiB/s)
  --seconds S       length of the measured window (default 20)
  --tolerance P     allowed deviation of the overall rate, in percent (default 10)
  --work-dir DIR    payload cache and download folder (default /tmp/bitloom-bench)`;

const log = (message) => process.stdout.write(`${message}\n`);

function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** `2M`, `500K`, `1048576` → bytes per second, as bitloom parses them (binary units). */
function parseRate(text) {
  const match = /^(\d+)([kmg]?)$/i.exec(text.trim());
  if (!match) usage(`--rate ${text}: expected e.g. 2M or 500K`);
  const unit = { '': 1, k: 1024, m: MIB, g: 1024 * MIB }[match[2].toLowerCase()];
  return Number(match[1]) * unit;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '2M' },
      seconds: { type: 'string', default: '20' },
      tolerance: { type: 'string', default: '10' },
      'work-dir': { type: 'string', default: '/tmp/bitloom-bench' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values.seconds);
  const tolerance = Number(values.tolerance);
  if (!Number.isInteger(seconds) || seconds < 2 || seconds > 3600)
    usage('--seconds: an integer from 2 to 3600');
  if (!(tolerance > 0 && tolerance < 100)) usage('--tolerance: a percentage between 0 and 100');
  return {
    rateText: values.rate,
    rate: parseRate(values.rate),
    seconds,
    tolerance,
    workDir: values['work-dir'],
  };
}

/** Calls `onEvent(object, secondsSinceStart)` for each JSON line bitloom prints, timestamped on arrival. */
function onJsonEvents(stream, startedAt, onEvent) {
  let buffered = '';
  stream.on('data', (chunk) => {
    const at = Number(process.hrtime.bigint() - startedAt) / 1e9;
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        onEvent(JSON.parse(line), at);
      } catch {
        // Not JSON: ignore.
      }
    }
  });
}

/**
 * The measured window: from the first progress event with payload bytes to the first one at least `seconds`
 * later; per-second rates between consecutive events inside it.
 */
export function analyse(samples, seconds, rate) {
  const first = samples.findIndex((sample) => sample.bytes > 0);
  if (first < 0) return undefined;
  const start = samples[first];
  const endIndex = samples.findIndex((sample, i) => i > first && sample.at - start.at >= seconds);
  if (endIndex < 0) return undefined;
  const end = samples[endIndex];
  const perSecond = [];
  for (let i = first + 1; i <= endIndex; i++) {
    const previous = samples[i - 1];
    const current = samples[i];
    perSecond.push({
      second: current.at - start.at,
      rate: (current.bytes - previous.bytes) / (current.at - previous.at),
    });
  }
  const overall = (end.bytes - start.bytes) / (end.at - start.at);
  return {
    windowSeconds: end.at - start.at,
    bytes: end.bytes - start.bytes,
    overall,
    deviation: overall / rate - 1,
    perSecond,
    // Signed: the second furthest from the limit, above (+) or below (-) it.
    worstSecondDeviation: perSecond
      .map((s) => s.rate / rate - 1)
      .reduce((worst, deviation) => (Math.abs(deviation) > Math.abs(worst) ? deviation : worst), 0),
  };
}

function formatRate(bytesPerSecond) {
  return `${(bytesPerSecond / MIB).toFixed(3)} MiB/s (${(bytesPerSecond / 1e6).toFixed(3)} MB/s)`;
}

function percent(fraction) {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)}%`;
}

async function main() {
  const options = parseOptions();
  process.once('SIGINT', () => {
    killAllTracked();
    process.exit(130);
  });
  process.once('exit', killAllTracked);
  // Enough payload that the limit, not the end of the file, ends the window (plus start-up slack).
  const sizeMiB = Math.ceil((options.rate * (options.seconds + 10)) / MIB) + 8;
  await mkdir(options.workDir, { recursive: true, mode: 0o755 });
  const payload = await ensureFilePayload({
    workDir: options.workDir,
    sizeMiB,
    pieceLength: PIECE_LENGTH,
    seed: 1,
    python: PYTHON,
    torrentScript: LIBTORRENT_SCRIPT,
    log,
  });
  const downloadDir = join(options.workDir, 'downloads', 'rate-limit');
  await rm(downloadDir, { recursive: true, force: true });
  await mkdir(downloadDir, { recursive: true });

  const scratchDir = join(options.workDir, 'scratch');
  await mkdir(scratchDir, { recursive: true });
  const seeder = await startSeeder('libtorrent', {
    python: PYTHON,
    torrentFiles: [payload.torrentFile],
    dataDir: payload.dir,
    scratchDir,
  });
  const samples = [];
  let bitloom;
  try {
    log(
      `bitloom download --max-down ${options.rateText} (${formatRate(options.rate)}) from a libtorrent seeder ` +
        `on 127.0.0.1, ${sizeMiB} MiB payload, ${PIECE_LENGTH / 1024} KiB pieces; measuring ${options.seconds} s`,
    );
    const startedAt = process.hrtime.bigint();
    bitloom = spawnTracked(
      process.execPath,
      bitloomCliArgs([
        'download',
        payload.torrentFile,
        '-o',
        downloadDir,
        '--peer',
        `127.0.0.1:${seeder.port}`,
        '--listen',
        '127.0.0.1',
        '--no-dht',
        '--max-down',
        options.rateText,
        '--json',
      ]),
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let finished;
    const enough = new Promise((resolve, reject) => {
      finished = resolve;
      const firstByte = setTimeout(() => {
        if (!samples.some((sample) => sample.bytes > 0))
          reject(
            new Error(`no payload byte within ${FIRST_BYTE_TIMEOUT_MS / 1000} s: ${bitloom.output.text}`),
          );
      }, FIRST_BYTE_TIMEOUT_MS);
      bitloom.exited.then(({ code }) => {
        clearTimeout(firstByte);
        reject(new Error(`bitloom exited (code ${code}) before the window ended: ${bitloom.output.text}`));
      });
    });
    onJsonEvents(bitloom.child.stdout, startedAt, (event, at) => {
      if (event.event !== 'progress' && event.event !== 'done') return;
      samples.push({ at, bytes: event.downloadedBytes });
      if (analyse(samples, options.seconds, options.rate)) finished();
    });
    await enough;
  } finally {
    if (bitloom) {
      // A clean stop, as Ctrl-C would do it; stopGroup escalates if it takes too long.
      try {
        process.kill(bitloom.child.pid, 'SIGINT');
      } catch {}
      await Promise.race([bitloom.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await stopGroup(bitloom);
    }
    await seeder.stop();
    await rm(downloadDir, { recursive: true, force: true });
  }

  const result = analyse(samples, options.seconds, options.rate);
  log('');
  log(' second   achieved rate');
  for (const { second, rate } of result.perSecond) {
    log(`${second.toFixed(2).padStart(7)}   ${formatRate(rate)}  ${percent(rate / options.rate - 1)}`);
  }
  log('');
  log(`limit:    ${formatRate(options.rate)}`);
  log(
    `overall:  ${formatRate(result.overall)} over ${result.windowSeconds.toFixed(2)} s ` +
      `(${(result.bytes / MIB).toFixed(2)} MiB), deviation ${percent(result.deviation)}`,
  );
  log(`worst single second: ${percent(result.worstSecondDeviation)} against the limit`);
  const held = Math.abs(result.deviation) <= options.tolerance / 100;
  log(
    `${held ? 'HELD' : 'NOT HELD'}: overall within ${options.tolerance}% of the limit: ${held ? 'yes' : 'no'}`,
  );

  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `rate-limit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: os.cpus().length, loadAverage: os.loadavg(), node: process.version };
  await writeFile(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, options, samples, result }, null, 2)}\n`,
  );
  log(`results: ${file}`);
  process.exitCode = held ? 0 : 1;
}

main().catch((error) => {
  killAllTracked();
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exit(1);
});
