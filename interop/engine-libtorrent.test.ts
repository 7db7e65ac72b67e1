/**
 * The bitloom engine against libtorrent 2.0 on loopback (BEP 3 wire protocol, BEP 6 fast extension where both
 * sides offer it), in both directions: bitloom downloads from a libtorrent seeder, and libtorrent downloads
 * from a bitloom seeder. Every payload — one file at 16 KiB, 256 KiB, 1 MiB and 4 MiB pieces, and a folder of
 * odd-sized files with a zero-length file and a 1-byte last piece — is compared byte for byte with its source.
 * On failure the message carries bitloom's status and peer events and libtorrent's stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BitloomPeer, readTorrentFile, startBitloom, untilDone } from './harness/bitloom.js';
import { libtorrentInfo, runLibtorrentLeecher, startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture, MULTI_FILE_PIECE_LENGTH, makeFixtures } from './harness/payloads.js';
import type { PeerProcess } from './harness/peer-process.js';

const TRANSFER_TIMEOUT_MS = 60_000;

let work: string;
let fixtures: Fixture[];
const bitloomPeers: BitloomPeer[] = [];
const clients: PeerProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-engine-libtorrent-'));
  fixtures = await makeFixtures(work);
});

afterEach(async () => {
  await Promise.all([...bitloomPeers.splice(0), ...clients.splice(0)].map((peer) => stopPeer(peer)));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

function stopPeer(peer: BitloomPeer | PeerProcess): Promise<void> {
  return 'session' in peer ? peer.close() : peer.stop();
}

// Test titles are fixed before beforeAll runs; the fixtures come in this order.
const CASES = [
  'single file, 16 KiB pieces',
  'single file, 256 KiB pieces',
  'single file, 1 MiB pieces',
  'single file, 4 MiB pieces',
  'multi-file (nested, zero-length file, 1-byte last piece)',
];

function fixtureFor(label: string): Fixture {
  const fixture = fixtures.find((f) => f.label === label);
  if (fixture === undefined) throw new Error(`no fixture ${label}`);
  return fixture;
}

describe('the payloads are what the tests claim', () => {
  it('every single-file torrent ends on a short piece; the multi-file one on a 1-byte piece', async () => {
    for (const label of CASES) {
      const fixture = fixtureFor(label);
      const info = await libtorrentInfo(fixture.torrentFile);
      const bitloom = await readTorrentFile(fixture.torrentFile);
      expect(bitloom.infoHashHex).toBe(info.infoHash);
      expect(info.pieceLength).toBe(fixture.pieceLength);
      const lastPiece = info.totalLength % info.pieceLength;
      if (fixture.pieceLength === MULTI_FILE_PIECE_LENGTH) {
        expect(lastPiece).toBe(1);
        expect(info.files.some((file) => file.length === 0)).toBe(true);
      } else {
        expect(lastPiece).toBeGreaterThan(0);
      }
    }
  });
});

describe('bitloom downloads from a libtorrent seeder', () => {
  for (const label of CASES) {
    it(label, async () => {
      const fixture = fixtureFor(label);
      const seeder = await startLibtorrentSeeder({
        torrentFile: fixture.torrentFile,
        dataDir: fixture.dataDir,
      });
      clients.push(seeder);
      const dir = join(work, `bitloom-from-lt-${fixture.pieceLength}`);
      const leecher = await startBitloom({
        torrentFile: fixture.torrentFile,
        savePath: dir,
        connect: [`127.0.0.1:${seeder.port}`],
      });
      bitloomPeers.push(leecher);
      let status: Awaited<ReturnType<typeof untilDone>>;
      try {
        status = await untilDone(leecher, TRANSFER_TIMEOUT_MS);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- libtorrent stderr ---\n${seeder.process.stderr}`);
      }
      expect(status.state).toBe('seeding');
      expect(status.verifiedBytes).toBe(status.totalBytes);
      expect(status.hashFailures).toBe(0);
      expect(await differingFiles(fixture, dir)).toEqual([]);
    });
  }
});

describe('libtorrent downloads from a bitloom seeder', () => {
  for (const label of CASES) {
    it(label, async () => {
      const fixture = fixtureFor(label);
      const seeder = await startBitloom({ torrentFile: fixture.torrentFile, savePath: fixture.dataDir });
      bitloomPeers.push(seeder);
      const checked = await untilDone(seeder, TRANSFER_TIMEOUT_MS);
      expect(checked.state).toBe('seeding');
      const dir = join(work, `lt-from-bitloom-${fixture.pieceLength}`);
      try {
        const result = await runLibtorrentLeecher({
          torrentFile: fixture.torrentFile,
          dataDir: dir,
          connect: [`127.0.0.1:${seeder.port}`],
          timeoutMs: TRANSFER_TIMEOUT_MS,
        });
        expect(result.lines.at(-1)).toMatchObject({ event: 'complete', isSeeding: true });
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\n--- bitloom seeder events ---\n${seeder.log.join('\n')}`,
        );
      }
      expect(await differingFiles(fixture, dir)).toEqual([]);
      expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(checked.totalBytes);
    });
  }
});
