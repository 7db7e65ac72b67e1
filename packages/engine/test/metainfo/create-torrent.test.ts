import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  autoPieceLength,
  type CreateTorrentOptions,
  createTorrent,
  MetainfoError,
  parseTorrent,
  pieceHash,
  pieceSize,
} from '../../src/metainfo/index.js';
import { concat, hasher, sha1 } from './helpers.js';

/** Deterministic content for file `index`: bytes derived from the index and position. */
function content(index: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, position) => (index * 31 + position * 7) & 0xff);
}

function readerFor(contents: Uint8Array[]) {
  const calls: [number, number, number][] = [];
  const readFile = async (fileIndex: number, position: number, length: number) => {
    calls.push([fileIndex, position, length]);
    return contents[fileIndex]!.slice(position, position + length);
  };
  return { readFile, calls };
}

describe('autoPieceLength', () => {
  it('is a power of two in 16 KiB..16 MiB giving at most 2000 pieces', () => {
    expect(autoPieceLength(0)).toBe(16 * 1024);
    expect(autoPieceLength(1000)).toBe(16 * 1024);
    expect(autoPieceLength(2000 * 16 * 1024)).toBe(16 * 1024);
    expect(autoPieceLength(2000 * 16 * 1024 + 1)).toBe(32 * 1024);
    expect(autoPieceLength(4 * 1024 ** 3)).toBe(4 * 1024 * 1024);
    expect(autoPieceLength(10 * 1024 ** 4)).toBe(16 * 1024 * 1024);
  });

  it('aims for 1000–2000 pieces when not clamped (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000 * 16 * 1024 + 1, max: 2000 * 16 * 1024 * 1024 }), (total) => {
        const pieces = Math.ceil(total / autoPieceLength(total));
        return pieces > 1000 && pieces <= 2000;
      }),
    );
  });
});

describe('createTorrent → parseTorrent', () => {
  it('single-file round trip: pieces are the SHA-1 of each slice, fields survive', async () => {
    const data = content(0, 100_000);
    const { readFile } = readerFor([data]);
    const progress: [number, number][] = [];
    const bytes = await createTorrent(
      {
        name: 'data.bin',
        files: [{ path: ['data.bin'], length: data.length }],
        pieceLength: 40_000,
        trackers: [['http://a.example/announce', 'udp://b.example:1337'], ['https://c.example/announce']],
        webSeeds: ['https://seed.example/data.bin'],
        private: true,
        comment: 'a comment',
        createdBy: 'bitloom/test',
        creationDate: 1_700_000_000,
      },
      readFile,
      hasher,
      (hashed, total) => progress.push([hashed, total]),
    );
    const torrent = await parseTorrent(bytes, hasher);
    expect(torrent.multiFile).toBe(false);
    expect(torrent.files[0]!.path).toEqual(['data.bin']);
    expect(torrent.pieceCount).toBe(3);
    for (let piece = 0; piece < 3; piece++) {
      const start = piece * 40_000;
      expect(pieceHash(torrent, piece)).toEqual(
        sha1(data.subarray(start, start + pieceSize(torrent, piece))),
      );
    }
    expect(torrent.announce).toEqual([
      ['http://a.example/announce', 'udp://b.example:1337'],
      ['https://c.example/announce'],
    ]);
    expect(torrent.urlList).toEqual(['https://seed.example/data.bin']);
    expect(torrent).toMatchObject({
      private: true,
      comment: 'a comment',
      createdBy: 'bitloom/test',
      creationDate: 1_700_000_000,
    });
    expect(progress.at(-1)).toEqual([100_000, 100_000]);
    expect(progress.map(([hashed]) => hashed)).toEqual(
      [...progress.map(([hashed]) => hashed)].sort((a, b) => a - b),
    );
  });

  it('multi-file with zero-length files: pieces span file boundaries, empty files are never read', async () => {
    const lengths = [5000, 0, 12_345, 0, 1];
    const contents = lengths.map((length, index) => content(index, length));
    const { readFile, calls } = readerFor(contents);
    const options: CreateTorrentOptions = {
      name: 'dir',
      files: lengths.map((length, index) => ({ path: ['dir', 'sub', `f${index}`], length })),
      pieceLength: 4096,
    };
    const torrent = await parseTorrent(await createTorrent(options, readFile, hasher), hasher);
    const all = concat(...contents);
    expect(torrent.totalLength).toBe(all.length);
    expect(torrent.files.map((file) => file.path)).toEqual(options.files.map((file) => file.path));
    for (let piece = 0; piece < torrent.pieceCount; piece++) {
      const start = piece * 4096;
      expect(pieceHash(torrent, piece)).toEqual(sha1(all.subarray(start, start + pieceSize(torrent, piece))));
    }
    expect(calls.every(([, , length]) => length > 0)).toBe(true);
    expect(torrent.announce).toEqual([]);
  });

  it('flat tracker lists become one tier per URL; one tracker writes no announce-list', async () => {
    const { readFile } = readerFor([content(0, 10)]);
    const base = { name: 'x', files: [{ path: ['x'], length: 10 }] };
    const flat = await parseTorrent(
      await createTorrent(
        { ...base, trackers: ['http://a.example/', 'http://b.example/'] },
        readFile,
        hasher,
      ),
      hasher,
    );
    expect(flat.announce).toEqual([['http://a.example/'], ['http://b.example/']]);
    const single = await createTorrent({ ...base, trackers: ['http://a.example/'] }, readFile, hasher);
    expect(new TextDecoder().decode(single)).not.toContain('announce-list');
  });

  it('the same input gives the same bytes (canonical, deterministic)', async () => {
    const { readFile } = readerFor([content(0, 70_000)]);
    const options = { name: 'x', files: [{ path: ['x'], length: 70_000 }] };
    expect(await createTorrent(options, readFile, hasher)).toEqual(
      await createTorrent(options, readFile, hasher),
    );
  });

  it('round trip on arbitrary layouts and piece lengths (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 5000 }),
        async (lengths, pieceLength) => {
          const contents = lengths.map((length, index) => content(index, length));
          const { readFile } = readerFor(contents);
          const files = lengths.map((length, index) => ({ path: ['root', `file${index}`], length }));
          const torrent = await parseTorrent(
            await createTorrent({ name: 'root', files, pieceLength }, readFile, hasher),
            hasher,
          );
          const all = concat(...contents);
          expect(torrent.pieceCount).toBe(Math.ceil(all.length / pieceLength));
          for (let piece = 0; piece < torrent.pieceCount; piece++) {
            const start = piece * pieceLength;
            expect(pieceHash(torrent, piece)).toEqual(
              sha1(all.subarray(start, start + pieceSize(torrent, piece))),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('createTorrent: bad options and failing reads', () => {
  const readFile = async (_index: number, _position: number, length: number) => new Uint8Array(length);
  const bad = async (options: CreateTorrentOptions) => {
    const error = await createTorrent(options, readFile, hasher).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MetainfoError);
    return (error as MetainfoError).code;
  };

  it('refuses layouts that cannot make a valid torrent', async () => {
    expect(await bad({ name: 'x', files: [] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: '', files: [{ path: [''], length: 1 }] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: '..', files: [{ path: ['..'], length: 1 }] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: 'x', files: [{ path: ['y'], length: 1 }] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: 'x', files: [{ path: ['x', 'a/b'], length: 1 }] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: 'x', files: [{ path: ['x'], length: -1 }] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ name: 'x', files: [{ path: ['x'], length: 1.5 }] })).toBe('METAINFO_BAD_OPTIONS');
    const tooDeep = ['x', ...Array.from({ length: 65 }, () => 'd')];
    expect(await bad({ name: 'x', files: [{ path: tooDeep, length: 1 }] })).toBe('METAINFO_BAD_OPTIONS');
    const tooMany = Array.from({ length: 100_001 }, (_, index) => ({ path: ['x', `f${index}`], length: 0 }));
    expect(await bad({ name: 'x', files: tooMany })).toBe('METAINFO_BAD_OPTIONS');
  });

  it('refuses bad piece lengths, trackers, web seeds and dates', async () => {
    const base = { name: 'x', files: [{ path: ['x'], length: 100 }] };
    expect(await bad({ ...base, pieceLength: 0 })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ ...base, pieceLength: 1000.5 })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ ...base, pieceLength: 2 ** 30 })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ ...base, trackers: ['wss://x.example/'] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ ...base, webSeeds: ['udp://x.example/'] })).toBe('METAINFO_BAD_OPTIONS');
    expect(await bad({ ...base, creationDate: -5 })).toBe('METAINFO_BAD_OPTIONS');
  });

  it('a short read (file changed while hashing) is METAINFO_READ_FAILED', async () => {
    const short = async (_index: number, _position: number, length: number) => new Uint8Array(length - 1);
    const error = await createTorrent(
      { name: 'x', files: [{ path: ['x'], length: 100 }] },
      short,
      hasher,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'METAINFO_READ_FAILED' });
  });

  it('a failing read is wrapped as METAINFO_READ_FAILED with its cause', async () => {
    const cause = new Error('EIO: i/o error');
    const failing = async () => {
      throw cause;
    };
    const error = await createTorrent(
      { name: 'x', files: [{ path: ['x'], length: 100 }] },
      failing,
      hasher,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'METAINFO_READ_FAILED', cause });
  });
});
