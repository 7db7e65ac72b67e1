import { describe, expect, it } from 'vitest';
import { decode, encode, utf8Encode } from '../../src/bencode/index.js';
import {
  MetainfoError,
  parseInfoDictionary,
  parseTorrent,
  pieceHash,
  pieceSize,
} from '../../src/metainfo/index.js';
import {
  ascii,
  concat,
  dict,
  fakePieces,
  hasher,
  multiFileInfo,
  sha1,
  sha1Hex,
  singleFileInfo,
  torrentBytes,
} from './helpers.js';

/** Resolves to the MetainfoError code the promise rejects with (fails the test if it resolves). */
async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MetainfoError);
    return (error as MetainfoError).code;
  }
  throw new Error('expected a MetainfoError');
}

describe('parseTorrent: v1 layouts', () => {
  it('single-file torrent', async () => {
    const info = singleFileInfo('file.bin', 100_000, 32_768);
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.name).toBe('file.bin');
    expect(torrent.multiFile).toBe(false);
    expect(torrent.totalLength).toBe(100_000);
    expect(torrent.pieceLength).toBe(32_768);
    expect(torrent.pieceCount).toBe(4);
    expect(torrent.pieceHashes.length).toBe(80);
    expect(torrent.files).toEqual([
      { index: 0, path: ['file.bin'], displayPath: 'file.bin', length: 100_000, offset: 0, padding: false },
    ]);
    expect(torrent.infoHashHex).toBe(sha1Hex(encode(info)));
    expect(torrent.infoHash).toEqual(sha1(encode(info)));
    expect(torrent.infoBytes).toEqual(encode(info));
    expect(torrent.announce).toEqual([['http://tracker.example/announce']]);
    expect(torrent.private).toBe(false);
    expect(torrent.hybrid).toBe(false);
  });

  it('multi-file torrent: paths start with the name, offsets accumulate', async () => {
    const info = multiFileInfo(
      'album',
      [
        { path: ['cd1', 'track1.flac'], length: 1000 },
        { path: ['cd1', 'track2.flac'], length: 2000 },
        { path: ['cover.jpg'], length: 500 },
      ],
      1024,
    );
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.multiFile).toBe(true);
    expect(torrent.totalLength).toBe(3500);
    expect(torrent.pieceCount).toBe(4);
    expect(torrent.files.map((file) => [file.index, file.path, file.offset, file.length])).toEqual([
      [0, ['album', 'cd1', 'track1.flac'], 0, 1000],
      [1, ['album', 'cd1', 'track2.flac'], 1000, 2000],
      [2, ['album', 'cover.jpg'], 3000, 500],
    ]);
    expect(torrent.files[0]!.displayPath).toBe('album/cd1/track1.flac');
  });

  it('a multi-file torrent with one file stays multi-file', async () => {
    const torrent = await parseTorrent(
      torrentBytes(multiFileInfo('d', [{ path: ['only'], length: 5 }], 4)),
      hasher,
    );
    expect(torrent.multiFile).toBe(true);
    expect(torrent.files[0]!.path).toEqual(['d', 'only']);
  });

  it('zero-length files take no bytes; an all-empty torrent has no pieces', async () => {
    const info = multiFileInfo(
      't',
      [
        { path: ['empty1'], length: 0 },
        { path: ['data'], length: 10 },
        { path: ['empty2'], length: 0 },
      ],
      4,
    );
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.files.map((file) => file.offset)).toEqual([0, 0, 10]);
    expect(torrent.pieceCount).toBe(3);

    const empty = await parseTorrent(torrentBytes(singleFileInfo('nothing', 0, 16_384)), hasher);
    expect(empty.totalLength).toBe(0);
    expect(empty.pieceCount).toBe(0);
    expect(empty.pieceHashes.length).toBe(0);
  });

  it('BEP 47 padding files are recognised by attr "p" and never renamed', async () => {
    const info = multiFileInfo(
      't',
      [
        { path: ['a.bin'], length: 10 },
        { path: ['.pad', '6'], length: 6, attr: 'p' },
        { path: ['b.bin'], length: 16, attr: 'x' },
        { path: ['.pad', '6'], length: 6, attr: 'p' },
      ],
      16,
    );
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.files.map((file) => file.padding)).toEqual([false, true, false, true]);
    expect(torrent.files[3]!.path).toEqual(['t', '.pad', '6']);
    expect(torrent.files[2]!.offset).toBe(16);
    expect(torrent.totalLength).toBe(38);
  });

  it('odd piece length 40000: any positive length, short last piece', async () => {
    const info = singleFileInfo('odd', 100_000, 40_000);
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.pieceCount).toBe(3);
    expect([0, 1, 2].map((piece) => pieceSize(torrent, piece))).toEqual([40_000, 40_000, 20_000]);
    expect(pieceHash(torrent, 2)).toEqual(fakePieces(3).subarray(40, 60));
    expect(() => pieceSize(torrent, 3)).toThrow(MetainfoError);
    expect(() => pieceHash(torrent, -1)).toThrow(MetainfoError);
  });

  it('piece length 1 is accepted', async () => {
    const torrent = await parseTorrent(torrentBytes(singleFileInfo('tiny', 7, 1)), hasher);
    expect(torrent.pieceCount).toBe(7);
    expect(pieceSize(torrent, 6)).toBe(1);
  });

  it('prefers name.utf-8 and path.utf-8 over codepage name and path', async () => {
    const info = multiFileInfo('n\u00e4me-latin1', [{ path: ['x'], length: 1 }], 1, {
      'name.utf-8': utf8Encode('名前'),
    });
    (info.get('files') as Map<string, unknown>[])[0]!.set('path.utf-8', [utf8Encode('ファイル')]);
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.name).toBe('名前');
    expect(torrent.files[0]!.path).toEqual(['名前', 'ファイル']);
  });
});

describe('parseTorrent: BEP 52', () => {
  const fileTree = dict({ 'a.bin': dict({ '': dict({ length: 5, 'pieces root': new Uint8Array(32) }) }) });

  it('a hybrid torrent works through its v1 part', async () => {
    const info = singleFileInfo('a.bin', 5, 16_384, { 'meta version': 2, 'file tree': fileTree });
    const torrent = await parseTorrent(torrentBytes(info, { 'piece layers': dict({}) }), hasher);
    expect(torrent.hybrid).toBe(true);
    expect(torrent.pieceCount).toBe(1);
    expect(torrent.infoHashHex).toBe(sha1Hex(encode(info)));
  });

  it('a pure v2 torrent is refused as not supported yet', async () => {
    const info = dict({ name: 'a.bin', 'piece length': 16_384, 'meta version': 2, 'file tree': fileTree });
    const promise = parseTorrent(torrentBytes(info), hasher);
    await expect(promise).rejects.toMatchObject({ code: 'METAINFO_V2_UNSUPPORTED' });
    await expect(promise).rejects.toThrow(/not supported yet/);
  });

  it('an unknown meta version without v1 pieces is refused', async () => {
    const info = dict({ name: 'a', 'piece length': 16_384, 'meta version': 3, length: 1 });
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_UNSUPPORTED_VERSION');
  });
});

describe('parseTorrent: hostile paths', () => {
  const parsePaths = async (name: string, paths: string[][]) => {
    const info = multiFileInfo(
      name,
      paths.map((path) => ({ path, length: 1 })),
      16,
    );
    return (await parseTorrent(torrentBytes(info), hasher)).files.map((file) => file.path);
  };

  it('traversal: ".." elements are dropped, never followed', async () => {
    expect(await parsePaths('t', [['..', '..', 'etc', 'passwd']])).toEqual([['t', 'etc', 'passwd']]);
  });

  it('traversal: separators, drive letters and UNC inside elements are flattened', async () => {
    expect(
      await parsePaths('t', [['../../x'], ['C:\\Windows', 'win.ini'], ['\\\\srv\\share'], ['/abs']]),
    ).toEqual([
      ['t', '.._.._x'],
      ['t', 'C__Windows', 'win.ini'],
      ['t', '__srv_share'],
      ['t', '_abs'],
    ]);
  });

  it('traversal: a path of only "." and ".." keeps the file under a neutral name', async () => {
    expect(await parsePaths('t', [['..', '.', '']])).toEqual([['t', '_']]);
  });

  it('traversal: a torrent named ".." or "/" is stored under a safe name', async () => {
    const dotDot = await parseTorrent(
      torrentBytes(multiFileInfo('..', [{ path: ['f'], length: 1 }], 1)),
      hasher,
    );
    expect(dotDot.name).toBe(dotDot.infoHashHex);
    expect(dotDot.files[0]!.path).toEqual([dotDot.infoHashHex, 'f']);
    const slash = await parseTorrent(torrentBytes(singleFileInfo('/etc/passwd', 1, 1)), hasher);
    expect(slash.name).toBe('_etc_passwd');
  });

  it('a missing name falls back to the info-hash', async () => {
    const info = singleFileInfo('x', 1, 1);
    info.delete('name');
    const torrent = await parseTorrent(torrentBytes(info), hasher);
    expect(torrent.name).toBe(torrent.infoHashHex);
  });

  it('collision: paths equal after sanitising get distinct names', async () => {
    expect(await parsePaths('t', [['a/b'], ['a_b'], ['CON'], ['con_']])).toEqual([
      ['t', 'a_b'],
      ['t', 'a_b.1'],
      ['t', 'CON_'],
      ['t', 'con_.1'],
    ]);
  });

  it('control characters in names are neutralised in displayPath and replaced in path', async () => {
    const torrent = await parseTorrent(
      torrentBytes(multiFileInfo('t', [{ path: ['red\u001b[31m', 'x\u202Etxt.exe'], length: 1 }], 1)),
      hasher,
    );
    expect(torrent.files[0]!.path).toEqual(['t', 'red_[31m', 'x_txt.exe']);
    expect(torrent.files[0]!.displayPath).toBe('t/red\\x1b[31m/x\\u{202e}txt.exe');
  });

  it('an empty path list is refused', async () => {
    expect(
      await errorCode(parseTorrent(torrentBytes(multiFileInfo('t', [{ path: [], length: 1 }], 1)), hasher)),
    ).toBe('METAINFO_BAD_PATH');
  });

  it('a non-string path element is refused', async () => {
    const info = multiFileInfo('t', [{ path: ['x'], length: 1 }], 1);
    (info.get('files') as Map<string, unknown>[])[0]!.set('path', [42]);
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_BAD_PATH');
  });
});

describe('parseTorrent: the info-hash is over the original bytes', () => {
  it('non-canonical info (unsorted keys) hashes as written, not as re-encoded', async () => {
    const infoText = 'd12:piece lengthi4e4:name1:x6:lengthi3e6:pieces20:aaaaaaaaaaaaaaaaaaaae';
    const file = ascii(`d4:info${infoText}8:announce22:udp://tracker.test:80/e`);
    const torrent = await parseTorrent(file, hasher);
    expect(torrent.infoHashHex).toBe(sha1Hex(ascii(infoText)));
    expect(torrent.infoBytes).toEqual(ascii(infoText));
    const canonical = encode(decode(ascii(infoText)));
    expect(canonical).not.toEqual(ascii(infoText));
    expect(torrent.infoHashHex).not.toBe(sha1Hex(canonical));
    expect(torrent.announce).toEqual([['udp://tracker.test:80/']]);
  });

  it('trailing bytes after the torrent dictionary are tolerated', async () => {
    const info = singleFileInfo('x', 1, 1);
    const torrent = await parseTorrent(concat(torrentBytes(info), ascii('\r\n')), hasher);
    expect(torrent.infoHashHex).toBe(sha1Hex(encode(info)));
  });

  it('parseInfoDictionary gives the same result as parseTorrent for the info part', async () => {
    const info = multiFileInfo('t', [{ path: ['a'], length: 3 }], 2, { private: 1 });
    const fromTorrent = await parseTorrent(torrentBytes(info), hasher);
    const fromInfo = await parseInfoDictionary(encode(info), hasher);
    const { announce, urlList, ...infoPart } = fromTorrent;
    expect(fromInfo).toEqual(infoPart);
    expect(fromInfo.private).toBe(true);
  });
});

describe('parseTorrent: trackers, web seeds and other fields', () => {
  it('announce-list tiers replace announce; bad schemes, duplicates and empty tiers are dropped', async () => {
    const list = (...tiers: string[][]) => tiers.map((tier) => tier.map((url) => utf8Encode(url)));
    const torrent = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1), {
        'announce-list': list(
          ['http://a.example/announce', 'wss://ws.example', 'udp://b.example:6969'],
          ['javascript:alert(1)', 'http://a.example/announce'],
          [' https://c.example/ann '],
          ['http://bad host/', 'http://ctrl\u0001.example/'],
        ),
      }),
      hasher,
    );
    expect(torrent.announce).toEqual([
      ['http://a.example/announce', 'udp://b.example:6969'],
      ['https://c.example/ann'],
    ]);
  });

  it('falls back to announce when announce-list has nothing usable', async () => {
    const torrent = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1), { 'announce-list': [[utf8Encode('ftp://x')]] }),
      hasher,
    );
    expect(torrent.announce).toEqual([['http://tracker.example/announce']]);
  });

  it('no trackers at all is fine (trackerless / DHT torrents)', async () => {
    const bytes = encode(dict({ info: singleFileInfo('x', 1, 1) }));
    expect((await parseTorrent(bytes, hasher)).announce).toEqual([]);
  });

  it('url-list may be a string or a list', async () => {
    const one = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1), { 'url-list': 'https://seed.example/x' }),
      hasher,
    );
    expect(one.urlList).toEqual(['https://seed.example/x']);
    const many = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1), {
        'url-list': [
          utf8Encode('http://a.example/'),
          utf8Encode('udp://no.example/'),
          utf8Encode('http://b.example/'),
        ],
      }),
      hasher,
    );
    expect(many.urlList).toEqual(['http://a.example/', 'http://b.example/']);
  });

  it('reads private, comment, created by and creation date; ignores them when mistyped', async () => {
    const torrent = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1, { private: 1 }), {
        comment: 'hello',
        'created by': 'bitloom test',
        'creation date': 1_700_000_000,
      }),
      hasher,
    );
    expect(torrent).toMatchObject({
      private: true,
      comment: 'hello',
      createdBy: 'bitloom test',
      creationDate: 1_700_000_000,
    });
    const mistyped = await parseTorrent(
      torrentBytes(singleFileInfo('x', 1, 1, { private: utf8Encode('1') }), {
        comment: 5,
        'creation date': 'today',
      }),
      hasher,
    );
    expect(mistyped.private).toBe(false);
    expect(mistyped.comment).toBeUndefined();
    expect(mistyped.creationDate).toBeUndefined();
  });
});

describe('parseTorrent: malformed input and limits', () => {
  it('not bencode → METAINFO_MALFORMED with the offset', async () => {
    const promise = parseTorrent(ascii('d4:infoi1e'), hasher);
    await expect(promise).rejects.toMatchObject({ code: 'METAINFO_MALFORMED' });
    await expect(promise).rejects.toThrow(/at byte \d+/);
  });

  it('structural errors are METAINFO_INVALID', async () => {
    expect(await errorCode(parseTorrent(ascii('le'), hasher))).toBe('METAINFO_INVALID');
    expect(await errorCode(parseTorrent(ascii('d8:announce1:xe'), hasher))).toBe('METAINFO_INVALID');
    expect(await errorCode(parseTorrent(ascii('d4:infoi1ee'), hasher))).toBe('METAINFO_INVALID');
    const both = singleFileInfo('x', 1, 1, { files: [] });
    expect(await errorCode(parseTorrent(torrentBytes(both), hasher))).toBe('METAINFO_INVALID');
    const emptyFiles = multiFileInfo('x', [], 1);
    expect(await errorCode(parseTorrent(torrentBytes(emptyFiles), hasher))).toBe('METAINFO_INVALID');
    const noLength = singleFileInfo('x', 1, 1);
    noLength.delete('length');
    expect(await errorCode(parseTorrent(torrentBytes(noLength), hasher))).toBe('METAINFO_INVALID');
  });

  it('limit: a file over maxTorrentBytes is refused before decoding', async () => {
    const bytes = torrentBytes(singleFileInfo('x', 1, 1));
    expect(await errorCode(parseTorrent(bytes, hasher, { maxTorrentBytes: bytes.length - 1 }))).toBe(
      'METAINFO_TOO_LARGE',
    );
    expect(await errorCode(parseTorrent(new Uint8Array(10 * 1024 * 1024 + 1), hasher))).toBe(
      'METAINFO_TOO_LARGE',
    );
    expect(
      await errorCode(parseInfoDictionary(encode(singleFileInfo('x', 1, 1)), hasher, { maxInfoBytes: 10 })),
    ).toBe('METAINFO_TOO_LARGE');
  });

  it('limit: too many bencode values (10 MiB of tiny strings) is refused', async () => {
    const junk = `d4:infod4:junkl${'0:'.repeat(1000)}eee`;
    expect(await errorCode(parseTorrent(ascii(junk), hasher, { maxBencodeItems: 500 }))).toBe(
      'METAINFO_MALFORMED',
    );
  });

  it('limit: too many files', async () => {
    const info = multiFileInfo(
      't',
      Array.from({ length: 11 }, (_, index) => ({ path: [`f${index}`], length: 1 })),
      1,
    );
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher, { maxFiles: 10 }))).toBe(
      'METAINFO_TOO_MANY_FILES',
    );
    expect((await parseTorrent(torrentBytes(info), hasher, { maxFiles: 11 })).files.length).toBe(11);
  });

  it('limit: path too deep', async () => {
    const deep = multiFileInfo('t', [{ path: Array.from({ length: 65 }, () => 'd'), length: 1 }], 1);
    expect(await errorCode(parseTorrent(torrentBytes(deep), hasher))).toBe('METAINFO_PATH_TOO_DEEP');
  });

  it('limit: too many pieces is refused before the pieces are checked', async () => {
    // Declares 2^40 bytes in 1-byte pieces without carrying the hashes.
    const info = dict({ name: 'x', length: 2 ** 40, 'piece length': 1, pieces: new Uint8Array(20) });
    expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_TOO_MANY_PIECES');
  });

  it('bad piece lengths', async () => {
    for (const pieceLength of [0, -16_384, 2 ** 40, 512 * 1024 * 1024]) {
      const info = dict({ name: 'x', length: 1, 'piece length': pieceLength, pieces: fakePieces(1) });
      expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_BAD_PIECE_LENGTH');
    }
    const missing = dict({ name: 'x', length: 1, pieces: fakePieces(1) });
    expect(await errorCode(parseTorrent(torrentBytes(missing), hasher))).toBe('METAINFO_BAD_PIECE_LENGTH');
    const text = dict({ name: 'x', length: 1, 'piece length': '16384', pieces: fakePieces(1) });
    expect(await errorCode(parseTorrent(torrentBytes(text), hasher))).toBe('METAINFO_BAD_PIECE_LENGTH');
  });

  it('bad pieces: not a multiple of 20, or not matching the length', async () => {
    for (const pieces of [new Uint8Array(19), new Uint8Array(41), fakePieces(3), new Uint8Array(0)]) {
      const info = dict({ name: 'x', length: 20, 'piece length': 10, pieces });
      expect(await errorCode(parseTorrent(torrentBytes(info), hasher))).toBe('METAINFO_BAD_PIECES');
    }
    const missing = dict({ name: 'x', length: 20, 'piece length': 10 });
    expect(await errorCode(parseTorrent(torrentBytes(missing), hasher))).toBe('METAINFO_BAD_PIECES');
  });

  it('bad lengths: negative, 64-bit, or a total beyond 2^53', async () => {
    const negative = dict({ name: 'x', length: -1, 'piece length': 1, pieces: fakePieces(0) });
    expect(await errorCode(parseTorrent(torrentBytes(negative), hasher))).toBe('METAINFO_BAD_LENGTH');
    const huge = dict({ name: 'x', length: 2n ** 60n, 'piece length': 1, pieces: fakePieces(0) });
    expect(await errorCode(parseTorrent(torrentBytes(huge), hasher))).toBe('METAINFO_BAD_LENGTH');
    const overflow = multiFileInfo(
      't',
      [
        { path: ['a'], length: 2 ** 52 },
        { path: ['b'], length: 2 ** 52 },
      ],
      2 ** 28,
    );
    overflow.set('pieces', fakePieces(1)); // the length check comes first; do not build 640 MiB of hashes
    expect(await errorCode(parseTorrent(torrentBytes(overflow), hasher))).toBe('METAINFO_BAD_LENGTH');
  });
});
