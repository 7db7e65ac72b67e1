/**
 * `session.removeTorrent(hash, { deleteData: true })` on the real file system: the torrent's files, its part
 * file and the folders they leave empty go; a file of someone else's in the torrent's folder, the folder holding
 * it, and everything outside stay. Without `deleteData` nothing is deleted.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTorrent } from '@bitloom/engine';
import { SeededRandom } from '@bitloom/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSession } from '../src/create-session.js';
import { createFileRangeReader, scanPath } from '../src/scan-files.js';
import { sha1Inline } from '../src/worker-hasher.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-remove-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

/** A torrent `album` of three files in nested folders, written below `work/save`; returns its bytes. */
async function makeAlbum(): Promise<Uint8Array> {
  const album = join(work, 'save', 'album');
  await mkdir(join(album, 'disc1', 'extras'), { recursive: true });
  const random = new SeededRandom(3);
  await writeFile(join(album, 'disc1', 'a.bin'), random.bytes(30_000));
  await writeFile(join(album, 'disc1', 'extras', 'b.bin'), random.bytes(20_000));
  await writeFile(join(album, 'c.bin'), random.bytes(25_000));
  const scanned = await scanPath(album);
  const reader = createFileRangeReader();
  try {
    return await createTorrent(
      { name: 'album', files: scanned.files, pieceLength: 16 * 1024 },
      (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
      { sha1: async (data) => sha1Inline(data) },
    );
  } finally {
    await reader.close();
  }
}

describe('removeTorrent on the file system', () => {
  it('deleteData removes only the torrent’s files and the folders they leave empty', async () => {
    const bytes = await makeAlbum();
    const save = join(work, 'save');
    await writeFile(join(save, 'album', 'notes.txt'), 'mine');
    await writeFile(join(save, 'unrelated.txt'), 'mine too');
    const session = await createSession({ listen: false, hashWorkers: 0 });
    try {
      const torrent = await session.add(bytes, { savePath: save });
      await torrent.next('done');
      await session.removeTorrent(torrent.infoHashHex);
      expect(await filesBelow(save)).toContain('album/c.bin');

      const again = await session.add(bytes, { savePath: save });
      await again.next('done');
      await session.removeTorrent(again.infoHashHex, { deleteData: true });
      expect(await filesBelow(save)).toEqual(['album', 'album/notes.txt', 'unrelated.txt']);
    } finally {
      await session.close();
    }
  });
});
