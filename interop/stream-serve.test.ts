/**
 * `bitloom download --serve` against a libtorrent seeder: while the download runs (held to 2 MiB/s by --max-down,
 * so it takes about 16 s), HTTP range requests for the last MiB and for a MiB in the middle return the right bytes,
 * and the progress line the CLI prints after each response shows the download still incomplete. Once complete the
 * process keeps serving the whole file until it is stopped.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLine, JsonLineChild } from './harness/child-process.js';
import { libtorrentCreate, startLibtorrentSeeder } from './harness/libtorrent.js';
import type { PeerProcess } from './harness/peer-process.js';

const MiB = 1024 * 1024;
const LENGTH = 32 * MiB;
const TIMEOUT_MS = 90_000;

let work: string;
let torrentFile: string;
let payload: Buffer;
let seeder: PeerProcess;
let buildOutput = '';
const running: JsonLineChild[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-serve-'));
  const dataDir = join(work, 'seed');
  await mkdir(dataDir, { recursive: true });
  payload = Buffer.from(new SeededRandom(66).bytes(LENGTH));
  await writeFile(join(dataDir, 'movie.mkv'), payload);
  torrentFile = join(work, 'movie.torrent');
  const [, output] = await Promise.all([
    libtorrentCreate(join(dataDir, 'movie.mkv'), torrentFile, 256 * 1024),
    buildCli(),
  ]);
  buildOutput = output;
  seeder = await startLibtorrentSeeder({ torrentFile, dataDir });
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  await seeder?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function get(url: string, range?: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, range ? { headers: { Range: range } } : {});
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** The first `progress` line printed after the first `seen` lines: its bytes were counted after that moment. */
async function nextProgress(child: JsonLineChild, seen: number): Promise<JsonLine> {
  return child.waitForLine((line) => line.event === 'progress' && child.lines.indexOf(line) >= seen, 10_000);
}

describe('bitloom download --serve against a libtorrent seeder', () => {
  it('answers range requests for the tail and the middle before the download completes, then keeps serving', async () => {
    const child = spawnBitloom([
      'download',
      torrentFile,
      '-o',
      join(work, 'download'),
      '--peer',
      `127.0.0.1:${seeder.port}`,
      '--listen',
      '127.0.0.1',
      '--no-dht',
      '--max-down',
      '2M',
      '--serve',
      '--json',
    ]);
    running.push(child);
    let serve: JsonLine;
    try {
      serve = await child.waitForLine((line) => line.event === 'serve', 30_000);
    } catch (error) {
      throw new Error(`${String(error)}\n${buildOutput}`);
    }
    const files = serve.files as { index: number; path: string; length: number; url: string }[];
    expect(files).toEqual([{ index: 0, path: 'movie.mkv', length: LENGTH, url: expect.any(String) }]);
    const url = files[0]!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/0\/movie\.mkv$/);

    // The last MiB first, as a player does to read an index at the end of the file.
    const tail = await get(url, `bytes=-${MiB}`);
    let seen = child.lines.length;
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${LENGTH - MiB}-${LENGTH - 1}/${LENGTH}`);
    expect(tail.headers.get('content-type')).toBe('video/x-matroska');
    expect(tail.body.equals(payload.subarray(LENGTH - MiB))).toBe(true);
    expect(child.lines.some((line) => line.event === 'done')).toBe(false);
    const afterTail = await nextProgress(child, seen);
    // Far from complete: the tail's pieces were requested before the rest (rarest-first order would have put the
    // last of its four pieces, on average, four fifths of the way through).
    expect(afterTail.verifiedBytes).toBeLessThan(LENGTH / 2);

    // Then a seek into the middle.
    const start = 16 * MiB + 12345;
    const middle = await get(url, `bytes=${start}-${start + MiB - 1}`);
    seen = child.lines.length;
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes ${start}-${start + MiB - 1}/${LENGTH}`);
    expect(middle.body.equals(payload.subarray(start, start + MiB))).toBe(true);
    expect(child.lines.some((line) => line.event === 'done')).toBe(false);
    const afterMiddle = await nextProgress(child, seen);
    expect(afterMiddle.verifiedBytes).toBeLessThan(LENGTH / 2);

    // Complete: the process stays up and serves the whole file; stopping it is a clean exit.
    await child.waitForLine((line) => line.event === 'done', TIMEOUT_MS);
    expect(child.exitStatus).toBeUndefined();
    const whole = await get(url);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(payload)).toBe(true);
    expect((await readFile(join(work, 'download', 'movie.mkv'))).equals(payload)).toBe(true);
    await child.stop();
    expect(await child.exited).toBe(0);
  }, 120_000);
});
