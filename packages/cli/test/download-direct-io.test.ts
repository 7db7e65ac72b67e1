/**
 * `bitloom download` writes whole pieces with O_DIRECT unless `--no-direct-io` says not to. Seen from outside:
 * while it runs, this process (the CLI runs in it) holds an O_DIRECT descriptor of the file, or never does.
 */
import { constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directSupported } from '../../node/test/direct-io-support.js';
import { type ExampleSeeder, startExampleSeeder } from '../../node/test/readme-example-fixture.js';
import { ExitCode } from '../src/exit-codes.js';
import { runCli } from './run-cli.js';

let seeder: ExampleSeeder;
beforeAll(async () => {
  seeder = await startExampleSeeder({
    name: 'cli-direct.bin',
    length: 8 * 1024 * 1024,
    pieceLength: 256 * 1024,
    seed: 5,
  });
});
afterAll(async () => {
  await seeder.close();
});

/** Whether this process holds a descriptor of `path` opened with O_DIRECT. */
function directDescriptorOf(path: string): boolean {
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== path) continue;
      const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (Number.parseInt(flags, 8) & constants.O_DIRECT) !== 0) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

describe('bitloom download and O_DIRECT', () => {
  for (const flags of [[], ['--no-direct-io']]) {
    it(`${flags.length === 0 ? 'by default' : flags[0]}: the file is the payload, and it was ${flags.length === 0 ? '' : 'never '}open with O_DIRECT`, async () => {
      const out = await mkdtemp(join(seeder.work, 'cli-'));
      const file = join(out, 'cli-direct.bin');
      let seen = false;
      const watch = setInterval(() => {
        seen ||= directDescriptorOf(file);
      }, 1);
      const run = await runCli([
        'download',
        seeder.torrentFile,
        '-o',
        out,
        '--peer',
        `127.0.0.1:${seeder.seeder.listenPort}`,
        '--no-dht',
        '--no-resume',
        '--quiet',
        ...flags,
      ]).finally(() => clearInterval(watch));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(ExitCode.OK);
      expect(Buffer.compare(readFileSync(file), seeder.payload)).toBe(0);
      expect(seen).toBe(flags.length === 0 && directSupported(out));
    });
  }
});
