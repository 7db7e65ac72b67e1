/**
 * The README's streaming example, run for real: written where `@bitloom/node` resolves, started with Node against
 * a bitloom seeder on loopback whose upload is limited (the download takes about 4 s), it must read the file's
 * last MiB while the torrent is still incomplete, then copy the whole file byte for byte, and exit 0.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent, type Session } from '@bitloom/engine';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks, REPO_ROOT, readmeSection, readReadme } from '../../engine/test/docs/readme.js';
import { createSession } from '../src/create-session.js';
import { createFileRangeReader, scanPath } from '../src/scan-files.js';
import { sha1Inline } from '../src/worker-hasher.js';

const MiB = 1024 * 1024;
const PAYLOAD_LENGTH = 8 * MiB;
let work: string;
let exampleDir: string;
let torrentFile: string;
let payload: Uint8Array;
let seeder: Session;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-readme-stream-'));
  await mkdir(join(work, 'seed'));
  payload = new SeededRandom(21).bytes(PAYLOAD_LENGTH);
  await writeFile(join(work, 'seed', 'movie.mkv'), payload);
  const scanned = await scanPath(join(work, 'seed', 'movie.mkv'));
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: 'movie.mkv', files: scanned.files, pieceLength: 256 * 1024 },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    { sha1: async (data) => sha1Inline(data) },
  );
  await reader.close();
  torrentFile = join(work, 'movie.torrent');
  await writeFile(torrentFile, bytes);
  seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  const seeding = await seeder.add(bytes, { savePath: join(work, 'seed') });
  await seeding.next('done');
  seeder.setRateLimits({ upload: 2 * MiB });
  // Bare specifiers resolve by walking up to the repository's node_modules.
  exampleDir = await mkdtemp(join(REPO_ROOT, 'node_modules', '.readme-stream-example-'));
}, 60_000);

afterAll(async () => {
  await seeder?.close();
  if (exampleDir !== undefined) await rm(exampleDir, { recursive: true, force: true });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('README streaming example, run', () => {
  it('reads the last MiB before the download completes, then copies the whole file, and exits 0', async () => {
    const blocks = fencedBlocks(readmeSection(readReadme(), 'Library use'), 'js');
    const file = join(exampleDir, 'stream.mjs');
    await writeFile(file, blocks[1]!);
    const savePath = join(work, 'downloads');
    const result = await run(file, [torrentFile, savePath, `127.0.0.1:${seeder.listenPort}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tail = /^movie\.mkv: last (\d+) bytes read with the torrent ([\d.]+)% done$/m.exec(result.stdout);
    expect(tail, result.stdout).not.toBeNull();
    expect(Number(tail![1])).toBe(MiB);
    expect(Number(tail![2])).toBeLessThan(100);
    expect(result.stdout).toContain(`copied ${PAYLOAD_LENGTH} bytes`);
    const copy = await readFile(join(savePath, 'copy-of-movie.mkv'));
    expect(copy.equals(Buffer.from(payload))).toBe(true);
  });
});
