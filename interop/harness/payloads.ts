/**
 * The payloads the engine interop tests move between bitloom and real clients: one single file of a few MiB
 * whose last piece is short at every piece size, and a folder of odd-sized files (nested, one of zero length)
 * whose last piece is a single byte. Each is written once per test file and made into a v1 torrent by
 * libtorrent, the way most torrents in the wild are made.
 */
import { join } from 'node:path';
import { libtorrentCreate } from './libtorrent.js';
import { filesEqual, makePayload } from './tools.js';

/** A payload made into a torrent. */
export interface Fixture {
  /** For test titles, e.g. `single file, 256 KiB pieces`. */
  readonly label: string;
  readonly torrentFile: string;
  /** The folder holding the payload (a seeder's data folder). */
  readonly dataDir: string;
  /** Paths relative to a data folder, with their sizes. */
  readonly files: readonly { path: string; length: number }[];
  readonly pieceLength: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** 3 MiB + 1234 bytes: not a multiple of any piece size, so every torrent's last piece is short. */
export const SINGLE_FILE_LENGTH = 3 * MiB + 1234;
export const SINGLE_FILE_PIECE_LENGTHS = [16 * KiB, 256 * KiB, 1 * MiB, 4 * MiB] as const;

/** Piece length of the multi-file torrent; the files add up to 20 pieces and one byte. */
export const MULTI_FILE_PIECE_LENGTH = 32 * KiB;
export const MULTI_FILES = [
  { path: 'multi/a.bin', length: 100_003 },
  { path: 'multi/empty.txt', length: 0 },
  { path: 'multi/nested/b.bin', length: 7 },
  { path: 'multi/nested/deeper/c.bin', length: 1 },
  { path: 'multi/d.bin', length: 20 * 32 * KiB + 1 - 100_003 - 7 - 1 },
] as const;

/** Human size for test titles: `16 KiB`, `4 MiB`. */
export function sizeLabel(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
}

/**
 * Writes both payloads below `work/seed` and makes one torrent per single-file piece size plus the multi-file
 * torrent, keyed by label. `pieceLengths` narrows the single-file set (e.g. 256 KiB only).
 */
export async function makeFixtures(
  work: string,
  pieceLengths: readonly number[] = SINGLE_FILE_PIECE_LENGTHS,
): Promise<Fixture[]> {
  const dataDir = join(work, 'seed');
  const single = [{ path: 'single.bin', length: SINGLE_FILE_LENGTH }];
  await makePayload(dataDir, { seed: 42, files: [...single, ...MULTI_FILES] });
  const fixtures: Fixture[] = [];
  for (const pieceLength of pieceLengths) {
    const torrentFile = join(work, `single-${pieceLength}.torrent`);
    await libtorrentCreate(join(dataDir, 'single.bin'), torrentFile, pieceLength);
    fixtures.push({
      label: `single file, ${sizeLabel(pieceLength)} pieces`,
      torrentFile,
      dataDir,
      files: single,
      pieceLength,
    });
  }
  const multiTorrent = join(work, 'multi.torrent');
  await libtorrentCreate(join(dataDir, 'multi'), multiTorrent, MULTI_FILE_PIECE_LENGTH);
  fixtures.push({
    label: 'multi-file (nested, zero-length file, 1-byte last piece)',
    torrentFile: multiTorrent,
    dataDir,
    files: MULTI_FILES,
    pieceLength: MULTI_FILE_PIECE_LENGTH,
  });
  return fixtures;
}

/** The payload files under `dir` that differ from (or are missing next to) the fixture's source files. */
export async function differingFiles(fixture: Fixture, dir: string): Promise<string[]> {
  const differing: string[] = [];
  for (const file of fixture.files) {
    const same = await filesEqual(join(fixture.dataDir, file.path), join(dir, file.path)).catch(() => false);
    if (!same) differing.push(file.path);
  }
  return differing;
}
