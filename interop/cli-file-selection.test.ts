/**
 * File selection through the `bitloom` command against a libtorrent seeder of a multi-file torrent whose small
 * files share pieces: `download --select` creates only the selected files (the shared pieces' other bytes sit in
 * the part file), byte for byte; a later run selecting another file completes it from the part file and the
 * seeder; a run selecting everything completes the rest and removes the part file.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseTorrent } from '@bitloom/engine';
import { sha1Inline } from '@bitloom/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture, makeFixtures } from './harness/payloads.js';
import type { PeerProcess } from './harness/peer-process.js';
import { filesEqual } from './harness/tools.js';

const TRANSFER_TIMEOUT_MS = 60_000;

let work: string;
let multi: Fixture;
let seeder: PeerProcess;
let buildOutput = '';
/** Torrent file index of each payload path, as `bitloom info` numbers them. */
const indexOf = new Map<string, number>();
let partFile = '';
const running: JsonLineChild[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-cli-select-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, []),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  multi = fixtures![0]!;
  const metainfo = await parseTorrent(new Uint8Array(await readFile(multi.torrentFile)), {
    sha1: async (data) => sha1Inline(data),
  });
  for (const [index, file] of metainfo.files.entries()) indexOf.set(file.path.join('/'), index);
  partFile = `.${metainfo.infoHashHex}.parts`;
  seeder = await startLibtorrentSeeder({ torrentFile: multi.torrentFile, dataDir: multi.dataDir });
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  await seeder?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Every file below `dir`, relative to it, sorted. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

async function download(dir: string, ...flags: string[]): Promise<void> {
  const child = spawnBitloom([
    'download',
    multi.torrentFile,
    '-o',
    dir,
    '--peer',
    `127.0.0.1:${seeder.port}`,
    '--listen',
    '127.0.0.1',
    '--no-dht',
    '--quiet',
    ...flags,
  ]);
  running.push(child);
  const status = await child.waitForExit(TRANSFER_TIMEOUT_MS);
  await child.stdoutClosed;
  if (status !== 0) {
    throw child.failure(
      `exited with ${status}\n--- seeder stderr ---\n${seeder.process.stderr.slice(-2000)}\n${buildOutput}`,
    );
  }
}

function index(path: string): string {
  const found = indexOf.get(path);
  if (found === undefined) throw new Error(`${path} is not in the torrent`);
  return String(found);
}

async function same(dir: string, path: string): Promise<boolean> {
  return filesEqual(join(multi.dataDir, path), join(dir, path));
}

describe('bitloom download --select against a libtorrent seeder', () => {
  it('creates only the selected files; later runs complete other files from the part file; all removes it', async () => {
    const dir = join(work, 'select');
    // b.bin (7 bytes) lies inside one piece with the end of a.bin, c.bin and the start of d.bin.
    await download(dir, '--select', index('multi/nested/b.bin'));
    expect(await filesBelow(dir)).toEqual([partFile, 'multi/nested/b.bin']);
    expect(await same(dir, 'multi/nested/b.bin')).toBe(true);

    // A wider selection: a.bin is fetched, its last piece comes out of the part file; still no c.bin, d.bin.
    await download(dir, '--select', `${index('multi/a.bin')},${index('multi/nested/b.bin')}`);
    expect(await filesBelow(dir)).toEqual([partFile, 'multi/a.bin', 'multi/nested/b.bin']);
    expect(await same(dir, 'multi/a.bin')).toBe(true);
    expect(await same(dir, 'multi/nested/b.bin')).toBe(true);

    // Everything: the remaining files (the empty one too) are complete and the part file is gone.
    await download(dir);
    expect(await differingFiles(multi, dir)).toEqual([]);
    expect(await filesBelow(dir)).toEqual(multi.files.map((f) => f.path).sort());
  });
});
