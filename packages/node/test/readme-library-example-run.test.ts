/**
 * The README's "Library use" example, run for real: the block is written to a file where `@bitloom/node`
 * resolves (below the repository's node_modules), started with Node against a bitloom seeder on loopback, and
 * must exit 0 having streamed the file's start, paused and resumed once, and downloaded the file byte for byte.
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

const PAYLOAD_LENGTH = 700_000;
let work: string;
let exampleDir: string;
let torrentFile: string;
let payload: Uint8Array;
let seeder: Session;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-readme-run-'));
  await mkdir(join(work, 'seed'));
  payload = new SeededRandom(12).bytes(PAYLOAD_LENGTH);
  await writeFile(join(work, 'seed', 'payload.bin'), payload);
  const scanned = await scanPath(join(work, 'seed', 'payload.bin'));
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: 'payload.bin', files: scanned.files, pieceLength: 64 * 1024 },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    { sha1: async (data) => sha1Inline(data) },
  );
  await reader.close();
  torrentFile = join(work, 'payload.torrent');
  await writeFile(torrentFile, bytes);
  seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  const seeding = await seeder.add(bytes, { savePath: join(work, 'seed') });
  await seeding.next('done');
  // Bare specifiers resolve by walking up to the repository's node_modules.
  exampleDir = await mkdtemp(join(REPO_ROOT, 'node_modules', '.readme-example-'));
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

describe('README library example, run', () => {
  it('downloads from a seeder on loopback, pausing and resuming once, and exits 0', async () => {
    const [block] = fencedBlocks(readmeSection(readReadme(), 'Library use'), 'js');
    const file = join(exampleDir, 'download.mjs');
    await writeFile(file, block!);
    const savePath = join(work, 'downloads');
    const result = await run(file, [torrentFile, savePath, `127.0.0.1:${seeder.listenPort}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('payload.bin: 1 files, 700000 bytes');
    expect(result.stdout).toMatch(/^paused with \d+ pieces$/m);
    expect(result.stdout).toContain(`payload.bin: ${PAYLOAD_LENGTH} bytes verified`);
    expect(result.stdout).toContain('  payload.bin: 100%');
    expect(result.stdout).toContain('streamed 65536 bytes of payload.bin');
    const downloaded = new Uint8Array(await readFile(join(savePath, 'payload.bin')));
    expect(Buffer.from(downloaded).equals(Buffer.from(payload))).toBe(true);
  });
});
