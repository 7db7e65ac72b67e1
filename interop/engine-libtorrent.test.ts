/**
 * The bitloom engine against libtorrent 2.0 on loopback (BEP 3 wire protocol, plus BEP 6 and BEP 10 as both
 * sides offer them), in both directions: bitloom downloads from a libtorrent seeder, and libtorrent downloads
 * from a bitloom seeder. The full payload matrix — one file at 16 KiB, 256 KiB, 1 MiB and 4 MiB pieces, and a
 * folder of odd-sized files with a zero-length file and a 1-byte last piece — each compared byte for byte.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTorrentFile } from './harness/bitloom.js';
import { describeEngineInterop } from './harness/engine-interop.js';
import { libtorrentInfo, runLibtorrentLeecher, startLibtorrentSeeder } from './harness/libtorrent.js';
import { MULTI_FILE_PIECE_LENGTH, makeFixtures, SINGLE_FILE_PIECE_LENGTHS } from './harness/payloads.js';

describe('the payloads are what the tests claim', () => {
  it('every single-file torrent ends on a short piece; the multi-file one on a 1-byte piece', async () => {
    const work = await mkdtemp(join(tmpdir(), 'bitloom-engine-payloads-'));
    try {
      const fixtures = await makeFixtures(work);
      expect(fixtures).toHaveLength(SINGLE_FILE_PIECE_LENGTHS.length + 1);
      for (const fixture of fixtures) {
        const info = await libtorrentInfo(fixture.torrentFile);
        const bitloom = await readTorrentFile(fixture.torrentFile);
        expect(bitloom.infoHashHex).toBe(info.infoHash);
        expect(info.pieceLength).toBe(fixture.pieceLength);
        const lastPiece = info.totalLength % info.pieceLength;
        if (fixture.pieceLength === MULTI_FILE_PIECE_LENGTH) {
          expect(lastPiece).toBe(1);
          expect(info.files.filter((file) => file.length === 0)).toHaveLength(1);
          expect(info.files.some((file) => file.path.split('/').length === 4)).toBe(true);
        } else {
          expect(lastPiece).toBeGreaterThan(0);
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describeEngineInterop({
  client: 'libtorrent',
  tempPrefix: 'bitloom-engine-libtorrent-',
  pieceLengths: SINGLE_FILE_PIECE_LENGTHS,
  startSeeder: startLibtorrentSeeder,
  runLeecher: runLibtorrentLeecher,
});
