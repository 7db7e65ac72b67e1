/**
 * Metainfo interop (BEP 3): torrents made by libtorrent, transmission-create and mktorrent parse in bitloom
 * with the info-hash each tool reports, and torrents bitloom creates are read by libtorrent with the same
 * info-hash and piece hashes — libtorrent also re-hashes the data itself against them. Tools missing from the
 * machine make these tests fail, not skip.
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent, type Metainfo, parseTorrent } from '@bitloom/engine';
import { testHasher } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libtorrentCheck, libtorrentCreate, libtorrentInfo } from './harness/libtorrent.js';
import { makePayload, mktorrent, transmissionCreate, transmissionInfoHash } from './harness/tools.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Piece hashes of a parsed torrent as hex strings, one per piece. */
function pieceHexes(metainfo: Metainfo): string[] {
  const hashes: string[] = [];
  for (let i = 0; i < metainfo.pieceHashes.length; i += 20)
    hashes.push(hex(metainfo.pieceHashes.subarray(i, i + 20)));
  return hashes;
}

async function parseFile(torrentFile: string): Promise<Metainfo> {
  return parseTorrent(new Uint8Array(await readFile(torrentFile)), testHasher);
}

let work: string;
let data: string;

/** The payloads: one single file (odd size) and one folder with nested files (odd sizes). */
const SINGLE = 'single.bin';
const ALBUM = 'album';
const SINGLE_LENGTH = 300_001;
const ALBUM_FILES = [
  { path: 'album/a.bin', length: 100_000 },
  { path: 'album/sub/b.bin', length: 5_000 },
  { path: 'album/c.txt', length: 70_001 },
];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-metainfo-interop-'));
  data = join(work, 'data');
  await makePayload(data, { seed: 1, files: [{ path: SINGLE, length: SINGLE_LENGTH }, ...ALBUM_FILES] });
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** The files of a payload as bitloom's createTorrent wants them, in the order `paths` gives. */
function createOptionsFor(name: string, paths: { path: string; length: number }[], pieceLength: number) {
  return {
    name,
    pieceLength,
    files: paths.map((file) => ({ path: file.path.split('/'), length: file.length })),
  };
}

/** Reads file ranges of the payload from disk. */
function diskReader(paths: { path: string }[]) {
  return async (fileIndex: number, position: number, length: number): Promise<Uint8Array> => {
    const handle = await open(join(data, paths[fileIndex]!.path), 'r');
    try {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new Error(`short read of ${paths[fileIndex]!.path}`);
      return buffer;
    } finally {
      await handle.close();
    }
  };
}

describe('torrents made by real tools parse in bitloom with the tool’s info-hash', () => {
  for (const [label, source] of [
    ['single file', SINGLE],
    ['multi file', ALBUM],
  ] as const) {
    it(`libtorrent (v1), ${label}`, async () => {
      const out = join(work, `lt-${source}.torrent`);
      const made = await libtorrentCreate(join(data, source), out, 32 * 1024);
      const parsed = await parseFile(out);
      expect(parsed.infoHashHex).toBe(made.infoHash);
      expect(pieceHexes(parsed)).toEqual(made.pieces);
      expect(parsed.pieceLength).toBe(32 * 1024);
      expect(parsed.multiFile).toBe(source === ALBUM);
    });

    it(`transmission-create, ${label}`, async () => {
      const out = join(work, `tr-${source}.torrent`);
      const made = await transmissionCreate(join(data, source), out, 16);
      const parsed = await parseFile(out);
      expect(parsed.infoHashHex).toBe(made.infoHash);
      expect(parsed.pieceLength).toBe(16 * 1024);
      const total = source === SINGLE ? SINGLE_LENGTH : ALBUM_FILES.reduce((sum, f) => sum + f.length, 0);
      expect(parsed.totalLength).toBe(total);
    });

    it(`mktorrent, ${label}`, async () => {
      const out = await mktorrent(join(data, source), join(work, `mk-${source}.torrent`), 15);
      const parsed = await parseFile(out);
      // mktorrent prints no info-hash: take it from the two other implementations.
      const [fromLibtorrent, fromTransmission] = await Promise.all([
        libtorrentInfo(out),
        transmissionInfoHash(out),
      ]);
      expect(parsed.infoHashHex).toBe(fromLibtorrent.infoHash);
      expect(parsed.infoHashHex).toBe(fromTransmission);
      expect(pieceHexes(parsed)).toEqual(fromLibtorrent.pieces);
      expect(parsed.files.map((f) => f.length)).toEqual(fromLibtorrent.files.map((f) => f.length));
    });
  }
});

describe('torrents bitloom creates are accepted by libtorrent', () => {
  const cases = [
    {
      label: 'single file, 32 KiB pieces',
      name: SINGLE,
      files: [{ path: SINGLE, length: SINGLE_LENGTH }],
      pieceLength: 32_768,
    },
    { label: 'multi file, 16 KiB pieces', name: ALBUM, files: ALBUM_FILES, pieceLength: 16_384 },
    {
      label: 'single file, odd 40000-byte pieces',
      name: SINGLE,
      files: [{ path: SINGLE, length: SINGLE_LENGTH }],
      pieceLength: 40_000,
    },
    { label: 'multi file, odd 40000-byte pieces', name: ALBUM, files: ALBUM_FILES, pieceLength: 40_000 },
  ];
  for (const testCase of cases) {
    it(testCase.label, async () => {
      const bytes = await createTorrent(
        createOptionsFor(testCase.name, testCase.files, testCase.pieceLength),
        diskReader(testCase.files),
        testHasher,
      );
      const out = join(work, `bitloom-${testCase.pieceLength}-${testCase.name}.torrent`);
      await writeFile(out, bytes);
      const ours = await parseTorrent(bytes, testHasher);
      const theirs = await libtorrentInfo(out);
      expect(theirs.infoHash).toBe(ours.infoHashHex);
      expect(theirs.pieces).toEqual(pieceHexes(ours));
      expect(theirs.pieceLength).toBe(testCase.pieceLength);
      expect(theirs.files).toEqual(testCase.files);
      // libtorrent hashes the files itself: every piece must match what bitloom wrote.
      const check = await libtorrentCheck(out, data);
      expect(check).toEqual({
        infoHash: ours.infoHashHex,
        numPieces: ours.pieceCount,
        verifiedPieces: ours.pieceCount,
        complete: true,
      });
    });
  }

  it('matches libtorrent’s own torrent of the same files and piece length (pieces and info-hash)', async () => {
    const made = await libtorrentCreate(join(data, ALBUM), join(work, 'lt-album-16k.torrent'), 16_384);
    // libtorrent chooses its own file order: create ours in the same order.
    const order = (await libtorrentInfo(join(work, 'lt-album-16k.torrent'))).files;
    const bytes = await createTorrent(createOptionsFor(ALBUM, order, 16_384), diskReader(order), testHasher);
    const ours = await parseTorrent(bytes, testHasher);
    expect(pieceHexes(ours)).toEqual(made.pieces);
    // Same name, files, order and piece length: the info dictionaries are byte-identical.
    expect(ours.infoHashHex).toBe(made.infoHash);
  });

  it('fails loudly when libtorrent is given a file that is not a torrent (the harness reports stderr)', async () => {
    const bogus = join(work, 'bogus.torrent');
    await writeFile(bogus, 'not bencode');
    await expect(libtorrentInfo(bogus)).rejects.toThrow(/stderr/);
  });
});
