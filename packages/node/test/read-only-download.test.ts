/**
 * A download into a folder the process may not write to, with real files and sockets on loopback: the torrent
 * stops with STORAGE_READ_ONLY (a typed error, state `error`), nothing is created in the folder, and the session
 * and its seeder carry on.
 *
 * Making a folder read-only is not as easy as it looks: the tests run as root in CI, and root ignores permission
 * bits, so `chmod 0555` stops nothing. As root the folder gets the immutable attribute instead (`chattr +i`, which
 * root must respect: creating a file in it fails with EPERM); as another user `chmod 0555` does the job. The test
 * checks that a plain write into the folder really fails before it relies on it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BitloomError, createTorrent, parseTorrent, type Session } from '@bitloom/engine';
import { createSession, sha1Inline } from '@bitloom/node';
import { afterEach, describe, expect, it } from 'vitest';

const hasher = { sha1: async (data: Uint8Array) => sha1Inline(data) };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Makes `folder` refuse new files, for root too; undone by the returned function. */
async function makeReadOnly(folder: string): Promise<() => Promise<void>> {
  if (process.getuid?.() === 0) {
    const set = spawnSync('chattr', ['+i', folder], { encoding: 'utf8' });
    if (set.status !== 0) throw new Error(`chattr +i ${folder} failed: ${set.stderr || set.error}`);
    return async () => {
      spawnSync('chattr', ['-i', folder]);
    };
  }
  await chmod(folder, 0o555);
  return () => chmod(folder, 0o755);
}

async function startSession(): Promise<Session> {
  const session = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 1 });
  cleanups.push(() => session.close());
  return session;
}

describe('read-only download folder (real files)', () => {
  it('download into a read-only folder: STORAGE_READ_ONLY, torrent in error, nothing created, the seeder unharmed', async () => {
    const work = await mkdtemp(join(tmpdir(), 'bitloom-ro-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const payload = new Uint8Array(randomBytes(512 * 1024));
    await mkdir(join(work, 'seed'));
    await writeFile(join(work, 'seed', 'ro.bin'), payload);
    const torrentFile = await createTorrent(
      { name: 'ro.bin', files: [{ path: ['ro.bin'], length: payload.length }], pieceLength: 64 * 1024 },
      async (_file, position, length) => payload.subarray(position, position + length),
      hasher,
    );
    const info = await parseTorrent(torrentFile, hasher);

    const readOnly = join(work, 'read-only');
    await mkdir(readOnly);
    cleanups.push(await makeReadOnly(readOnly));
    // The precondition, checked rather than assumed: a plain write into the folder fails.
    await expect(writeFile(join(readOnly, 'probe'), 'x')).rejects.toMatchObject({
      code: expect.stringMatching(/^(EPERM|EACCES)$/),
    });

    const seedSession = await startSession();
    const seed = seedSession.addTorrent(info, { savePath: join(work, 'seed') });
    if (seed.state !== 'seeding') {
      await new Promise<void>((resolve) => seed.on('state', ({ state }) => state === 'seeding' && resolve()));
    }

    const leechSession = await startSession();
    const leech = leechSession.addTorrent(info, {
      savePath: readOnly,
      peers: [{ host: '127.0.0.1', port: seedSession.listenPort }],
    });
    const error = await new Promise<BitloomError>((resolve) =>
      leech.on('error', (e) => resolve(e as BitloomError)),
    );
    expect(error.code).toBe('STORAGE_READ_ONLY');
    expect(error.message).toMatch(/cannot write piece \d+: .*not writable/);
    expect(leech.state).toBe('error');
    expect(leech.status().piecesHad).toBe(0);
    expect(await readdir(readOnly)).toEqual([]);
    // The seeder is still seeding and still accepts a leecher that can write.
    expect(seed.state).toBe('seeding');
    const goodSession = await startSession();
    const good = goodSession.addTorrent(info, {
      savePath: join(work, 'good'),
      peers: [{ host: '127.0.0.1', port: seedSession.listenPort }],
    });
    await new Promise<void>((resolve, reject) => {
      good.on('done', () => resolve());
      good.on('error', reject);
    });
    expect(good.status().verifiedBytes).toBe(payload.length);
  });
});
