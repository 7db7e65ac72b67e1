/**
 * The README's streaming example, run for real: written where `@bitloom/node` resolves, started with Node against
 * a bitloom seeder on loopback whose upload is limited (the download takes about 4 s), it must read the file's
 * last MiB while the torrent is still incomplete, then copy the whole file byte for byte, and exit 0.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks, readmeSection, readReadme } from '../../engine/test/docs/readme.js';
import { type ExampleSeeder, runNode, startExampleSeeder } from './readme-example-fixture.js';

const MiB = 1024 * 1024;
const PAYLOAD_LENGTH = 8 * MiB;
let fixture: ExampleSeeder;

beforeAll(async () => {
  fixture = await startExampleSeeder({
    name: 'movie.mkv',
    length: PAYLOAD_LENGTH,
    pieceLength: 256 * 1024,
    seed: 21,
    uploadLimit: 2 * MiB,
  });
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

describe('README streaming example, run', () => {
  it('reads the last MiB before the download completes, then copies the whole file, and exits 0', async () => {
    const blocks = fencedBlocks(readmeSection(readReadme(), 'Library use'), 'js');
    const file = join(fixture.exampleDir, 'stream.mjs');
    await writeFile(file, blocks[1]!);
    const savePath = join(fixture.work, 'downloads');
    const result = await runNode(file, [
      fixture.torrentFile,
      savePath,
      `127.0.0.1:${fixture.seeder.listenPort}`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tail = /^movie\.mkv: last (\d+) bytes read with the torrent ([\d.]+)% done$/m.exec(result.stdout);
    expect(tail, result.stdout).not.toBeNull();
    expect(Number(tail![1])).toBe(MiB);
    expect(Number(tail![2])).toBeLessThan(100);
    expect(result.stdout).toContain(`copied ${PAYLOAD_LENGTH} bytes`);
    const copy = await readFile(join(savePath, 'copy-of-movie.mkv'));
    expect(copy.equals(Buffer.from(fixture.payload))).toBe(true);
  });
});
