/**
 * `bitloom download` reports `done` as soon as every piece is verified and written, then makes the files durable
 * (fsync) before it exits. When that flush fails the data may not be on disk: the run must fail, not exit 0.
 * A platform whose file storage fails every flush (as a dying disk would, EIO) stands in for the fault.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTorrent,
  parseTorrent,
  type Session,
  type StorageFileSpec,
  type TorrentFiles,
} from '@bitloom/engine';
import {
  createFileRangeReader,
  createNodePlatform,
  createSession,
  type NodePlatform,
  scanPath,
} from '@bitloom/node';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { inlineHasher } from '../src/hashers.js';
import { runCli } from './run-cli.js';

let work: string;
let torrentFile: string;
let seeder: Session;
let payload: Buffer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-durable-'));
  await mkdir(join(work, 'seed'), { recursive: true });
  payload = Buffer.from(new SeededRandom(9).bytes(300_000));
  await writeFile(join(work, 'seed', 'data.bin'), payload);
  const scanned = await scanPath(join(work, 'seed', 'data.bin'));
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: 'data.bin', files: scanned.files, pieceLength: 16 * 1024 },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    inlineHasher,
  );
  await reader.close();
  torrentFile = join(work, 'data.torrent');
  await writeFile(torrentFile, bytes);
  seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  await seeder
    .addTorrent(await parseTorrent(bytes, inlineHasher), { savePath: join(work, 'seed') })
    .next('done');
});

afterAll(async () => {
  await seeder?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Node's platform, but every flush of a torrent's files rejects with EIO. */
function failingFlushes(node: NodePlatform): NodePlatform {
  const eio = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  const storage = {
    open: async (root: string, specs: readonly StorageFileSpec[]) => {
      const files = await node.storage.open(root, specs);
      return new Proxy(files, {
        get(target, key) {
          if (key === 'flush') return eio;
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as TorrentFiles;
    },
  };
  return { ...node, storage: storage as unknown as NodePlatform['storage'] };
}

function download(dir: string, platform: NodePlatform) {
  const peer = `127.0.0.1:${seeder.listenPort}`;
  const argv = ['download', torrentFile, '-o', dir, '--peer', peer, '--listen', '127.0.0.1', '--no-dht'];
  return runCli([...argv, '--quiet', '--no-resume'], { platform });
}

describe('download: done is not success until the data is durable', () => {
  it('exits 0 when the flush succeeds, and fails with the flush error when it does not', async () => {
    const node = createNodePlatform({ hashWorkers: 0 });
    try {
      const good = await download(join(work, 'good'), node);
      expect(good.stderr).toBe('');
      expect(good.code).toBe(ExitCode.OK);
      expect((await readFile(join(work, 'good', 'data.bin'))).equals(payload)).toBe(true);

      const bad = await download(join(work, 'bad'), failingFlushes(node));
      expect(bad.code).toBe(ExitCode.FAILURE);
      expect(bad.stderr).toMatch(/cannot flush the downloaded data: EIO/);
    } finally {
      await node.close();
    }
  });
});
