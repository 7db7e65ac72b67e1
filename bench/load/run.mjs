/**
 * `npm run load -- swarm|flood [options]`: the load scenarios on loopback (see bench/load/README.md). Prints a
 * summary and writes the full report as JSON to bench/results/. Exits 1 when the scenario failed (a leecher did
 * not complete, data differed, or a connection limit was passed); timings never decide that.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllChildren, runFloodLoad, runSwarmLoad } from './load.mjs';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const USAGE = `usage: npm run load -- swarm [options]     one seeder, many leechers
       npm run load -- flood [options]     a connection flood while leechers download
swarm:  --peers N (200)  --size MiB (256)  --piece-kib KiB (256)  --processes N (4)  --neighbours N (10)
        --timeout S (1800)
flood:  --rate N (500 attempts/s)  --seconds S (20)  --trickle-ms MS (200)  --leechers N (4)
        --leecher-kib-per-s KiB (1024)  --size MiB (64)  --piece-kib KiB (256)
both:   --work-dir DIR (/tmp/bitloom-load)`;

const log = (message) => process.stdout.write(`${message}\n`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    peers: { type: 'string', default: '200' },
    size: { type: 'string' },
    'piece-kib': { type: 'string', default: '256' },
    processes: { type: 'string', default: '4' },
    neighbours: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '1800' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    'trickle-ms': { type: 'string', default: '200' },
    leechers: { type: 'string', default: '4' },
    'leecher-kib-per-s': { type: 'string', default: '1024' },
    'work-dir': { type: 'string', default: '/tmp/bitloom-load' },
    help: { type: 'boolean', default: false },
  },
});
const scenario = positionals[0];
if (values.help || (scenario !== 'swarm' && scenario !== 'flood')) {
  log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const number = (name) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) {
    log(`--${name} must be a positive number\n${USAGE}`);
    process.exit(2);
  }
  return value;
};

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});

const workDir = values['work-dir'];
let report;
try {
  report =
    scenario === 'swarm'
      ? await runSwarmLoad({
          peers: number('peers'),
          sizeMiB: values.size === undefined ? 256 : number('size'),
          pieceKiB: number('piece-kib'),
          processes: number('processes'),
          neighbours: number('neighbours'),
          timeoutSeconds: number('timeout'),
          workDir,
          log,
        })
      : await runFloodLoad({
          sizeMiB: values.size === undefined ? 64 : number('size'),
          pieceKiB: number('piece-kib'),
          leechers: number('leechers'),
          leecherRate: number('leecher-kib-per-s') * 1024,
          ratePerSecond: number('rate'),
          seconds: number('seconds'),
          trickleIntervalMs: number('trickle-ms'),
          workDir,
          log,
        });
} catch (error) {
  killAllChildren();
  throw error;
}
report.machine = {
  cpus: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
};
report.loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
log(JSON.stringify(report, null, 2));
await mkdir(RESULTS_DIR, { recursive: true });
const file = `${RESULTS_DIR}load-${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
log(`${report.ok ? 'ok' : 'FAILED'}; report written to ${file}`);
process.exitCode = report.ok ? 0 : 1;
