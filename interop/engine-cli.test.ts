/**
 * The `bitloom` command itself (packages/cli/bin/bitloom.js, run as a child process from its compiled `dist`)
 * against real clients on loopback: `bitloom download … --peer … --quiet` from a libtorrent and from a
 * WebTorrent seeder exits 0 once verified-complete with the data byte for byte, and libtorrent downloads from
 * `bitloom seed`. The packages are built first (`tsc -b`, incremental, then the one-file bundle the bin loads) so
 * the command runs the current sources.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO_ROOT, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { runLibtorrentLeecher, startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture, makeFixtures } from './harness/payloads.js';
import type { PeerProcess } from './harness/peer-process.js';
import { startWebTorrentSeeder } from './harness/webtorrent.js';

const TRANSFER_TIMEOUT_MS = 60_000;

let work: string;
let single: Fixture;
let multi: Fixture;
const running: { stop(): Promise<void> }[] = [];

/** What `tsc -b` printed (empty when the build was clean), for failure messages. */
let buildOutput = '';

function bitloom(args: string[]): JsonLineChild {
  const child = spawnBitloom(args);
  running.push(child);
  return child;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-engine-cli-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, [256 * 1024]),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  [single, multi] = fixtures as [Fixture, Fixture];
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Runs `bitloom download` to its exit and expects exit 0 and silence on stdout (--quiet). */
async function expectDownloadSucceeds(fixture: Fixture, seeder: PeerProcess, dir: string): Promise<void> {
  const download = bitloom([
    'download',
    fixture.torrentFile,
    '-o',
    dir,
    '--peer',
    `127.0.0.1:${seeder.port}`,
    '--quiet',
  ]);
  const status = await download.waitForExit(TRANSFER_TIMEOUT_MS);
  await download.stdoutClosed;
  if (status !== 0) {
    throw download.failure(
      `exited with ${status}\n--- seeder stderr ---\n${seeder.process.stderr.slice(-2000)}\n${buildOutput}`,
    );
  }
  expect(download.rawLines).toEqual([]);
  expect(await differingFiles(fixture, dir)).toEqual([]);
}

describe('the built bitloom command', () => {
  it('is one bundle that holds every command and finds its package.json for --version', async () => {
    const help = bitloom(['--help']);
    expect(await help.waitForExit(10_000)).toBe(0);
    await help.stdoutClosed;
    const section = help.rawLines.slice(help.rawLines.indexOf('Commands:') + 1);
    const commands = section
      .slice(0, section.indexOf(''))
      .map((line) => /^ {2}([a-z]+) /.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(commands).toEqual(['create', 'demo', 'download', 'info', 'seed', 'help']);

    const version = bitloom(['--version']);
    expect(await version.waitForExit(10_000)).toBe(0);
    await version.stdoutClosed;
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.rawLines).toEqual([manifest.version]);
  });
});

describe('the bitloom command against real clients', () => {
  it('bitloom download --peer --quiet from a libtorrent seeder exits 0 with the file byte for byte', async () => {
    const seeder = await startLibtorrentSeeder({ torrentFile: single.torrentFile, dataDir: single.dataDir });
    running.push(seeder);
    await expectDownloadSucceeds(single, seeder, join(work, 'cli-from-libtorrent'));
  });

  it('bitloom download of the multi-file torrent from a WebTorrent seeder exits 0, every file equal', async () => {
    const seeder = await startWebTorrentSeeder({ torrentFile: multi.torrentFile, dataDir: multi.dataDir });
    running.push(seeder);
    await expectDownloadSucceeds(multi, seeder, join(work, 'cli-from-webtorrent'));
  });

  it('libtorrent downloads from `bitloom seed --port 0`, which stops cleanly on SIGTERM', async () => {
    const seed = bitloom(['seed', single.torrentFile, '--data', single.dataDir, '--port', '0']);
    const listening = await seed.waitForLine(
      (line) => /^listening on port \d+$/.test(String(line.text)),
      30_000,
    );
    const port = Number(/\d+$/.exec(String(listening.text))?.[0]);
    const dir = join(work, 'libtorrent-from-cli');
    await runLibtorrentLeecher({
      torrentFile: single.torrentFile,
      dataDir: dir,
      connect: [`127.0.0.1:${port}`],
      timeoutMs: TRANSFER_TIMEOUT_MS,
    });
    expect(await differingFiles(single, dir)).toEqual([]);
    await seed.stop();
    expect(seed.exitStatus).toBe(0);
  });
});
