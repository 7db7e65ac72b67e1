/**
 * What `bitloom download --files` shows, run as a real process against a libtorrent seeder of the multi-file
 * payload: with `--json`, the `metadata` event lists every file and `done` reports each one complete; without,
 * stderr (a pipe, so plain lines) ends with the status line and one line per file at 100 %, and no escape
 * sequence.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture, MULTI_FILES, makeFixtures } from './harness/payloads.js';

const TRANSFER_TIMEOUT_MS = 60_000;

let work: string;
let multi: Fixture;
let buildOutput = '';
const running: { stop(): Promise<void> }[] = [];

function bitloom(args: string[]): JsonLineChild {
  const child = spawnBitloom(args);
  running.push(child);
  return child;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-cli-display-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, [256 * 1024]),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  multi = fixtures.at(-1)!;
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function downloadMulti(dir: string, extra: string[]): Promise<JsonLineChild> {
  const seeder = await startLibtorrentSeeder({ torrentFile: multi.torrentFile, dataDir: multi.dataDir });
  running.push(seeder);
  const download = bitloom([
    'download',
    multi.torrentFile,
    '-o',
    dir,
    '--peer',
    `127.0.0.1:${seeder.port}`,
    '--no-dht',
    '--listen',
    '127.0.0.1',
    '--files',
    ...extra,
  ]);
  const status = await download.waitForExit(TRANSFER_TIMEOUT_MS);
  await download.stdoutClosed;
  if (status !== 0) throw download.failure(`exited with ${status}\n${buildOutput}`);
  expect(await differingFiles(multi, dir)).toEqual([]);
  return download;
}

describe('download --files', () => {
  it('--json: metadata lists every file, done reports each one complete', async () => {
    const download = await downloadMulti(join(work, 'json'), ['--json']);
    const metadata = download.lines.find((line) => line.event === 'metadata');
    // libtorrent orders the files its own way: compare by path, and indices must be 0…n-1.
    const fileList = metadata?.fileList as {
      index: number;
      path: string;
      length: number;
      priority: number;
    }[];
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(fileList.map(({ path, length, priority }) => ({ path, length, priority })).sort(byPath)).toEqual(
      MULTI_FILES.map((file) => ({ path: file.path, length: file.length, priority: 1 })).sort(byPath),
    );
    expect(fileList.map((file) => file.index)).toEqual(MULTI_FILES.map((_, index) => index));
    const done = download.lines.find((line) => line.event === 'done');
    expect(done?.progress).toBe(1);
    expect(done?.fileProgress).toEqual(
      fileList.map((file) => ({ index: file.index, verifiedBytes: file.length, progress: 1 })),
    );
    for (const line of download.lines) expect(line.text).toBeUndefined(); // every line is JSON
  });

  it('plain (stderr not a terminal): the last lines are the status and every file at 100 %', async () => {
    const download = await downloadMulti(join(work, 'plain'), []);
    expect(download.stderr).not.toContain('\u001b');
    const lines = download.stderr.trimEnd().split('\n');
    const last = lines.slice(-(MULTI_FILES.length + 1));
    expect(last[0]).toMatch(/^multi: seeding 100\.0% \(640\.0 KiB of 640\.0 KiB\) {2}down .* ratio /);
    const fileLines = last.slice(1);
    for (const file of MULTI_FILES) {
      const escaped = file.path.replace(/[.]/g, '\\.');
      expect(
        fileLines.filter((line) => new RegExp(`^ {2}\\d {2}\\[#+\\] {2}100\\.0% .* ${escaped}$`).test(line)),
      ).toHaveLength(1);
    }
    expect(download.rawLines.at(-1)).toMatch(/^multi: complete and verified in /);
  });
});
