/**
 * A real download on loopback with direct writes on (the default) and off: the engine hands verified pieces to
 * the writer thread, which writes their aligned blocks with O_DIRECT; the file is byte for byte the payload
 * either way, including its unaligned last piece.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../src/create-session.js';
import { createNodePlatform } from '../src/platform.js';
import { directSupported } from './direct-io-support.js';
import { type ExampleSeeder, startExampleSeeder } from './readme-example-fixture.js';

const LENGTH = 4 * 1024 * 1024 + 12_345;
let seeder: ExampleSeeder;
beforeAll(async () => {
  seeder = await startExampleSeeder({
    name: 'direct.bin',
    length: LENGTH,
    pieceLength: 1024 * 1024,
    seed: 77,
  });
});
afterAll(async () => {
  await seeder.close();
});

describe('downloads with direct writes', () => {
  for (const directWrites of [true, false]) {
    it(`directWrites ${directWrites}: the file is the payload; ${directWrites ? 'whole pieces went direct' : 'nothing went direct'}`, async () => {
      const out = await mkdtemp(join(seeder.work, 'leech-'));
      const platform = createNodePlatform({ hashWorkers: 0, directWrites });
      const session = await createSession({ platform, listen: { host: '127.0.0.1', port: 0 } });
      try {
        const torrent = await session.add(seeder.torrentFile, {
          savePath: out,
          peers: [{ host: '127.0.0.1', port: seeder.seeder.listenPort }],
        });
        await torrent.next('done');
        expect(Buffer.compare(readFileSync(join(out, 'direct.bin')), seeder.payload)).toBe(0);
        // Four whole 1 MiB pieces; the last one's 12,345 bytes are under the direct minimum.
        expect(platform.storage.directBytes).toBe(directWrites && directSupported(out) ? 4 * 1024 * 1024 : 0);
      } finally {
        await session.close();
        await platform.close();
        await rm(out, { recursive: true, force: true });
      }
    });
  }
});
