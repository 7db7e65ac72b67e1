/**
 * What the README example runs share: a bitloom seeder of one generated file on loopback, a folder below the
 * repository's node_modules where an example's bare `@bitloom/node` import resolves, and running a file with Node.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent, type Session } from '@bitloom/engine';
import { SeededRandom } from '@bitloom/testkit';
import { REPO_ROOT } from '../../engine/test/docs/readme.js';
import { createSession } from '../src/create-session.js';
import { createFileRangeReader, scanPath } from '../src/scan-files.js';
import { sha1Inline } from '../src/worker-hasher.js';

export interface ExampleSeeder {
  readonly work: string;
  readonly exampleDir: string;
  readonly torrentFile: string;
  readonly payload: Uint8Array;
  readonly seeder: Session;
  close(): Promise<void>;
}

export interface ExampleSeederOptions {
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  readonly seed: number;
  /** Upload limit of the seeder (bytes per second), so a download lasts a while. */
  readonly uploadLimit?: number;
}

export async function startExampleSeeder(options: ExampleSeederOptions): Promise<ExampleSeeder> {
  const work = await mkdtemp(join(tmpdir(), 'bitloom-readme-run-'));
  await mkdir(join(work, 'seed'));
  const payload = new SeededRandom(options.seed).bytes(options.length);
  const source = join(work, 'seed', options.name);
  await writeFile(source, payload);
  const scanned = await scanPath(source);
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: options.name, files: scanned.files, pieceLength: options.pieceLength },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    { sha1: async (data) => sha1Inline(data) },
  );
  await reader.close();
  const torrentFile = join(work, `${options.name}.torrent`);
  await writeFile(torrentFile, bytes);
  const seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  const seeding = await seeder.add(bytes, { savePath: join(work, 'seed') });
  await seeding.next('done');
  if (options.uploadLimit !== undefined) seeder.setRateLimits({ upload: options.uploadLimit });
  // Bare specifiers resolve by walking up to the repository's node_modules.
  const exampleDir = await mkdtemp(join(REPO_ROOT, 'node_modules', '.readme-example-'));
  return {
    work,
    exampleDir,
    torrentFile,
    payload,
    seeder,
    close: async () => {
      await seeder.close();
      await rm(exampleDir, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** Runs `file` with this Node; resolves with its exit code and output (never rejects). */
export function runNode(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
