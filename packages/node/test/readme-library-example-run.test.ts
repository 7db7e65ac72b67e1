/**
 * The README's "Library use" example, run for real: the block is written to a file where `@bitloom/node`
 * resolves (below the repository's node_modules), started with Node against a bitloom seeder on loopback, and
 * must exit 0 having streamed the file's start, paused and resumed once, and downloaded the file byte for byte.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks, readmeSection, readReadme } from '../../engine/test/docs/readme.js';
import { type ExampleSeeder, runNode, startExampleSeeder } from './readme-example-fixture.js';

const PAYLOAD_LENGTH = 700_000;
let fixture: ExampleSeeder;

beforeAll(async () => {
  fixture = await startExampleSeeder({
    name: 'payload.bin',
    length: PAYLOAD_LENGTH,
    pieceLength: 64 * 1024,
    seed: 12,
    // The example pauses after the first piece: the seeder must not have sent the whole payload by then, or every
    // piece completes while the pause is in progress and the example logs the state after the session closed.
    uploadLimit: 256 * 1024,
  });
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

describe('README library example, run', () => {
  it('downloads from a seeder on loopback, pausing and resuming once, and exits 0', async () => {
    const [block] = fencedBlocks(readmeSection(readReadme(), 'Library use'), 'js');
    const file = join(fixture.exampleDir, 'download.mjs');
    await writeFile(file, block!);
    const savePath = join(fixture.work, 'downloads');
    const result = await runNode(file, [
      fixture.torrentFile,
      savePath,
      `127.0.0.1:${fixture.seeder.listenPort}`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('payload.bin: 1 files, 700000 bytes');
    expect(result.stdout).toMatch(/^paused with \d+ pieces$/m);
    expect(result.stdout).toContain(`payload.bin: ${PAYLOAD_LENGTH} bytes verified`);
    expect(result.stdout).toContain('  payload.bin: 100%');
    expect(result.stdout).toContain('streamed 65536 bytes of payload.bin');
    const downloaded = await readFile(join(savePath, 'payload.bin'));
    expect(downloaded.equals(Buffer.from(fixture.payload))).toBe(true);
  });
});
