/**
 * `bitloom download --select / --exclude / --sequential` against a bitloom seeder on loopback: only the chosen
 * files' pieces are fetched, and the chosen files come out byte for byte.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent, type Metainfo, parseTorrent, type Session } from '@bitloom/engine';
import { createFileRangeReader, createSession, scanPath } from '@bitloom/node';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { parseIndexRanges, selectedRanges } from '../src/file-selection.js';
import { inlineHasher } from '../src/hashers.js';
import { runCli } from './run-cli.js';

const PIECE = 16 * 1024;
const SIZES = [100_000, 70_000, 130_000, 50_000];
let work: string;
let torrentFile: string;
let metainfo: Metainfo;
let seeder: Session;
const contents: Buffer[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-select-'));
  const source = join(work, 'seed', 'set');
  await mkdir(source, { recursive: true });
  const random = new SeededRandom(4);
  for (const [i, size] of SIZES.entries()) {
    contents.push(Buffer.from(random.bytes(size)));
    await writeFile(join(source, `file-${i}.bin`), contents[i]!);
  }
  const scanned = await scanPath(source);
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: 'set', files: scanned.files, pieceLength: PIECE },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    inlineHasher,
  );
  await reader.close();
  torrentFile = join(work, 'set.torrent');
  await writeFile(torrentFile, bytes);
  metainfo = await parseTorrent(bytes, inlineHasher);
  seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  await seeder.addTorrent(metainfo, { savePath: join(work, 'seed') }).next('done');
});

afterAll(async () => {
  await seeder?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function download(dir: string, ...flags: string[]) {
  return runCli([
    'download',
    torrentFile,
    '-o',
    dir,
    '--peer',
    `127.0.0.1:${seeder.listenPort}`,
    '--listen',
    '127.0.0.1',
    '--no-dht',
    ...(flags.includes('--json') ? [] : ['--quiet']),
    ...flags,
  ]);
}

describe('download --select / --exclude / --sequential', () => {
  it('--select 1,3 writes files 1 and 3 byte for byte', async () => {
    const dir = join(work, 'select');
    const run = await download(dir, '--select', '1,3');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.OK);
    for (const i of [1, 3])
      expect((await readFile(join(dir, 'set', `file-${i}.bin`))).equals(contents[i]!)).toBe(true);
    // Unselected files are never created (their bytes of shared pieces are in the part file).
    expect((await readdir(join(dir, 'set'))).sort()).toEqual(['file-1.bin', 'file-3.bin']);
    expect(await readdir(dir)).toContain(`.${metainfo.infoHashHex}.parts`);
  });

  it('--exclude 0-2 leaves only file 3 wanted; --sequential still verifies every piece', async () => {
    const dir = join(work, 'exclude');
    const run = await download(dir, '--exclude', '0-2', '--sequential');
    expect(run.code).toBe(ExitCode.OK);
    expect((await readFile(join(dir, 'set', 'file-3.bin'))).equals(contents[3]!)).toBe(true);
  });

  it('--json prints NDJSON events: metadata first, then resume, done last, nothing else on stdout', async () => {
    const run = await download(join(work, 'json'), '--json');
    expect(run.code).toBe(ExitCode.OK);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string });
    expect(events[0]).toMatchObject({
      event: 'metadata',
      infoHash: metainfo.infoHashHex,
      pieceCount: metainfo.pieceCount,
    });
    expect(events[1]).toMatchObject({ event: 'resume', resumed: false });
    expect(events.at(-1)).toMatchObject({ event: 'done', progress: 1 });
    expect(
      events.every((e) => ['metadata', 'resume', 'progress', 'piece-failed', 'done'].includes(e.event)),
    ).toBe(true);
  });

  it('bad index lists are usage errors', async () => {
    expect((await download(join(work, 'bad'), '--select', '2-1')).code).toBe(ExitCode.USAGE);
    expect((await download(join(work, 'bad'), '--exclude', 'x')).code).toBe(ExitCode.USAGE);
  });

  it('index ranges parse as BEP 53 does', () => {
    expect(parseIndexRanges('--select', '0,2-4, 7')).toEqual([
      { start: 0, end: 0 },
      { start: 2, end: 4 },
      { start: 7, end: 7 },
    ]);
    expect(selectedRanges(5, '1-4', '2')).toEqual([
      { start: 1, end: 1 },
      { start: 3, end: 3 },
      { start: 4, end: 4 },
    ]);
    expect(selectedRanges(5)).toBeUndefined();
  });
});
