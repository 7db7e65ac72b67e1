#!/usr/bin/env node
// What seeding costs bitloom in CPU: `bitloom seed` serves one payload to a `bitloom download` on loopback, and
// the seeder's CPU time (all threads, from /proc) is read once its start-up check is over and again when the
// download has finished. Prints CPU seconds per GiB uploaded, and how many piece hashes the upload needed
// is left to the reader (one per piece per read from disk: each piece read back is verified before upload).
//
//   node bench/seed-cpu.mjs [--size 256] [--piece-length 1M] [--runs 3] [--cli packages/cli/bin/bitloom.js]
//
// --cli lets the same measurement run against another build (e.g. a checkout of an older commit).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bitloomCliArgs } from './lib/bitloom-cli.mjs';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256' },
    'piece-length': { type: 'string', default: '1M' },
    runs: { type: 'string', default: '3' },
    cli: { type: 'string', default: 'packages/cli/bin/bitloom.js' },
  },
});
const cli = resolve(values.cli);
const sizeMiB = Number(values.size);
const ticksPerSecond = 100; // USER_HZ on Linux

function run(args, options = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, bitloomCliArgs(args, cli), {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...options,
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

async function cpuSeconds(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function once(dir, torrentPath) {
  const seeder = spawn(
    process.execPath,
    bitloomCliArgs(
      ['seed', torrentPath, '--data', dir, '--port', '0', '--listen', '127.0.0.1', '--no-dht', '-q'],
      cli,
    ),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise((resolvePort, reject) => {
      let out = '';
      seeder.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /listening on port (\d+)/.exec(out);
        if (match) resolvePort(Number(match[1]));
      });
      seeder.on('exit', (code) => reject(new Error(`seed exited ${code}`)));
    });
    // The start-up check hashes the whole payload; wait until the seeder's CPU stops moving.
    let last = -1;
    for (;;) {
      await pause(500);
      const now = await cpuSeconds(seeder.pid);
      if (now === last) break;
      last = now;
    }
    const before = await cpuSeconds(seeder.pid);
    const started = performance.now();
    const out = join(dir, 'out');
    await run([
      'download',
      torrentPath,
      '-o',
      out,
      '--peer',
      `127.0.0.1:${port}`,
      '--listen',
      '127.0.0.1',
      '--no-dht',
      '-q',
    ]);
    const wall = (performance.now() - started) / 1000;
    await pause(300);
    const after = await cpuSeconds(seeder.pid);
    await rm(out, { recursive: true, force: true });
    return { cpu: after - before, wall };
  } finally {
    seeder.kill('SIGTERM');
  }
}

const dir = await mkdtemp(join(tmpdir(), 'bitloom-seed-cpu-'));
try {
  await writeFile(join(dir, 'payload.bin'), randomBytes(sizeMiB * 1024 * 1024));
  const torrentPath = join(dir, 'payload.torrent');
  await run([
    'create',
    join(dir, 'payload.bin'),
    '-o',
    torrentPath,
    '--piece-length',
    values['piece-length'],
  ]);
  const results = [];
  for (let i = 0; i < Number(values.runs); i++) results.push(await once(dir, torrentPath));
  const gib = sizeMiB / 1024;
  for (const r of results) {
    console.log(
      `seeder CPU ${r.cpu.toFixed(2)} s for ${sizeMiB} MiB (${(r.cpu / gib).toFixed(2)} CPU-s/GiB), ${(sizeMiB / r.wall).toFixed(0)} MiB/s`,
    );
  }
  const sorted = results.map((r) => r.cpu / gib).sort((a, b) => a - b);
  console.log(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} CPU-s/GiB uploaded (${cli})`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
