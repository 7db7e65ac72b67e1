/**
 * The .torrent attacks of the catalogue at their real scale (BEP 3 metainfo): a 100 MiB file, a million files, a
 * 1 GiB piece length. Each must end in a MetainfoError with a stable code, refused by the cheapest check that
 * applies (size before decoding, item count while decoding, file count before any path is sanitised).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_METAINFO_LIMITS, MetainfoError, parseTorrent } from '../../src/metainfo/index.js';
import { ascii, dict, fakePieces, hasher, torrentBytes } from './helpers.js';

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MetainfoError);
    return (error as MetainfoError).code;
  }
  throw new Error('expected a MetainfoError');
}

/** A torrent listing `count` one-byte files, written as text (building a million Maps would be the slow part). */
function manyFilesTorrent(count: number): Uint8Array {
  const file = 'd6:lengthi1e4:pathl1:xee';
  const hashes = 'a'.repeat(20 * Math.ceil(count / (1 << 20))); // 1 MiB pieces
  return ascii(
    `d4:infod5:filesl${file.repeat(count)}e4:name1:t12:piece lengthi1048576e6:pieces${hashes.length}:${hashes}ee`,
  );
}

describe('.torrent attacks at scale', () => {
  it('a 100 MiB .torrent is refused by its size before a byte is decoded', async () => {
    // Bencode garbage from the first byte: had it been decoded, the error would be METAINFO_MALFORMED.
    const bytes = new Uint8Array(100 * 1024 * 1024).fill(0x78);
    expect(await errorCode(parseTorrent(bytes, hasher))).toBe('METAINFO_TOO_LARGE');
  });

  it('millions of files: 1,000,000 file entries are refused (too large by default, too many values when allowed in)', async () => {
    const bytes = manyFilesTorrent(1_000_000);
    expect(bytes.length).toBeGreaterThan(DEFAULT_METAINFO_LIMITS.maxTorrentBytes);
    expect(await errorCode(parseTorrent(bytes, hasher))).toBe('METAINFO_TOO_LARGE');
    // With the size limit lifted, the bencode value limit (4 values a file) stops it while decoding.
    expect(await errorCode(parseTorrent(bytes, hasher, { maxTorrentBytes: 64 * 1024 * 1024 }))).toBe(
      'METAINFO_MALFORMED',
    );
  });

  it('150,000 files (within the size and value limits) are refused by the file limit', async () => {
    const bytes = manyFilesTorrent(150_000);
    expect(bytes.length).toBeLessThan(DEFAULT_METAINFO_LIMITS.maxTorrentBytes);
    expect(await errorCode(parseTorrent(bytes, hasher))).toBe('METAINFO_TOO_MANY_FILES');
  });

  it('piece length 1 GiB is refused (a piece is buffered whole while it is verified)', async () => {
    const info = dict({ name: 'x', length: 1, 'piece length': 1024 * 1024 * 1024, pieces: fakePieces(1) });
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_BAD_PIECE_LENGTH');
  });

  it('piece length 0 is refused', async () => {
    const info = dict({ name: 'x', length: 1, 'piece length': 0, pieces: fakePieces(1) });
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_BAD_PIECE_LENGTH');
  });
});
