/** A download folder that cannot be used is one clear error before any peer is dialled, not a silent stall. */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDownloadFolder } from '../src/download-folder.js';
import { ExitCode } from '../src/exit-codes.js';
import { runCli } from './run-cli.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-folder-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the download folder', () => {
  it('is created with its parents when missing', async () => {
    const dir = join(work, 'a', 'b', 'c');
    await ensureDownloadFolder(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('below a regular file is refused with the reason', async () => {
    const file = join(work, 'plain-file');
    await writeFile(file, 'x');
    await expect(ensureDownloadFolder(join(file, 'sub'))).rejects.toMatchObject({
      code: 'CLI_DOWNLOAD_FOLDER',
      message: expect.stringContaining('not a directory'),
    });
  });

  it('download -o into an impossible folder fails at once with one line, even with an unreachable peer', async () => {
    const file = join(work, 'another-file');
    await writeFile(file, 'x');
    // A valid magnet link and a peer that is never reached: before the check this waited forever.
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}`;
    const run = await runCli([
      'download',
      magnet,
      '-o',
      join(file, 'out'),
      '--peer',
      '127.0.0.1:9',
      '--no-dht',
      '--quiet',
    ]);
    expect(run.code).toBe(ExitCode.FAILURE);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('cannot download into');
    expect(run.stderr).toContain('not a directory; check the path');
  });
});
