/**
 * Checks of the interop harness itself, with no bitloom in the loop: the real clients it drives can move a
 * torrent between each other on loopback (libtorrent → WebTorrent and back), and the helpers do what they
 * say. When a bitloom interop test fails, this file tells whether the harness is to blame.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libtorrentCreate, runLibtorrentLeecher, startLibtorrentSeeder } from './harness/libtorrent.js';
import type { PeerProcess } from './harness/peer-process.js';
import { filesEqual, freePort, makePayload } from './harness/tools.js';
import { runWebTorrentLeecher, startWebTorrentSeeder } from './harness/webtorrent.js';

const FILES = [
  { path: 'payload/a.bin', length: 1_000_000 },
  { path: 'payload/nested/b.bin', length: 123_457 },
];

let work: string;
let torrentFile: string;
const running: PeerProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-harness-'));
  await makePayload(join(work, 'seed'), { seed: 7, files: FILES });
  torrentFile = join(work, 'payload.torrent');
  await libtorrentCreate(join(work, 'seed', 'payload'), torrentFile, 64 * 1024);
});

afterAll(async () => {
  await Promise.all(running.map((peer) => peer.stop()));
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function expectSameData(dir: string): Promise<void> {
  for (const file of FILES)
    expect(await filesEqual(join(work, 'seed', file.path), join(dir, file.path))).toBe(true);
}

describe('interop harness', () => {
  it('libtorrent seeds to a WebTorrent leecher on loopback', async () => {
    const seeder = await startLibtorrentSeeder({ torrentFile, dataDir: join(work, 'seed') });
    running.push(seeder);
    expect(seeder.port).toBeGreaterThan(0);
    const dir = join(work, 'wt-leech');
    await runWebTorrentLeecher({
      torrentFile,
      dataDir: dir,
      connect: [`127.0.0.1:${seeder.port}`],
      timeoutMs: 60_000,
    });
    await expectSameData(dir);
    await seeder.stop();
    expect(seeder.process.exitStatus).toBeDefined();
  });

  it('WebTorrent seeds to a libtorrent leecher on loopback', async () => {
    const seeder = await startWebTorrentSeeder({ torrentFile, dataDir: join(work, 'seed') });
    running.push(seeder);
    const dir = join(work, 'lt-leech');
    const result = await runLibtorrentLeecher({
      torrentFile,
      dataDir: dir,
      connect: [`127.0.0.1:${seeder.port}`],
      timeoutMs: 60_000,
    });
    expect(result.lines.at(-1)).toMatchObject({ event: 'complete', isSeeding: true });
    await expectSameData(dir);
  });

  it('a leecher with nobody to download from fails with its stderr, not a hang', async () => {
    const port = await freePort();
    await expect(
      runLibtorrentLeecher({
        torrentFile,
        dataDir: join(work, 'nowhere'),
        connect: [`127.0.0.1:${port}`],
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow(/leech timed out/);
  });

  it('makePayload is deterministic per seed and filesEqual sees a one-byte difference', async () => {
    await makePayload(join(work, 'again'), { seed: 7, files: FILES });
    expect(await filesEqual(join(work, 'seed', FILES[0]!.path), join(work, 'again', FILES[0]!.path))).toBe(
      true,
    );
    await makePayload(join(work, 'other'), { seed: 8, files: FILES });
    expect(await filesEqual(join(work, 'seed', FILES[0]!.path), join(work, 'other', FILES[0]!.path))).toBe(
      false,
    );
    const bytes = new Uint8Array(3000).fill(1);
    await writeFile(join(work, 'x'), bytes);
    bytes[2999] = 2;
    await writeFile(join(work, 'y'), bytes);
    expect(await filesEqual(join(work, 'x'), join(work, 'y'))).toBe(false);
    expect(await filesEqual(join(work, 'x'), join(work, 'x'))).toBe(true);
  });
});
