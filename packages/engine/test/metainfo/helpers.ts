/** Fixtures for metainfo tests: a node:crypto hasher and builders for torrents as bencode dictionaries. */
import { createHash } from 'node:crypto';
import { type BencodeDict, type BencodeValue, encode, utf8Encode } from '../../src/bencode/index.js';
import type { Hasher } from '../../src/platform/index.js';

export const hasher: Hasher = {
  sha1: async (data) => new Uint8Array(createHash('sha1').update(data).digest()),
};

export function sha1(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

export function sha1Hex(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A dictionary from a record; string values become UTF-8 byte strings. */
export function dict(entries: Record<string, BencodeValue | string | undefined>): BencodeDict {
  const result: BencodeDict = new Map();
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    result.set(key, typeof value === 'string' ? utf8Encode(value) : value);
  }
  return result;
}

/** `count` fake piece hashes. */
export function fakePieces(count: number): Uint8Array {
  return new Uint8Array(count * 20).fill(0xab);
}

/** A single-file info dictionary. */
export function singleFileInfo(
  name: string,
  length: number,
  pieceLength: number,
  extra: Record<string, BencodeValue> = {},
): BencodeDict {
  return dict({
    name,
    length,
    'piece length': pieceLength,
    pieces: fakePieces(Math.ceil(length / pieceLength)),
    ...extra,
  });
}

/** A multi-file info dictionary; each file is [path elements, length] or with an attr. */
export function multiFileInfo(
  name: string,
  files: { path: string[]; length: number; attr?: string }[],
  pieceLength: number,
  extra: Record<string, BencodeValue> = {},
): BencodeDict {
  const total = files.reduce((sum, file) => sum + file.length, 0);
  return dict({
    name,
    'piece length': pieceLength,
    pieces: fakePieces(Math.ceil(total / pieceLength)),
    files: files.map((file) =>
      dict({ length: file.length, path: file.path.map((element) => utf8Encode(element)), attr: file.attr }),
    ),
    ...extra,
  });
}

/** A whole torrent file around `info`. */
export function torrentBytes(
  info: BencodeDict,
  extra: Record<string, BencodeValue | string> = {},
): Uint8Array {
  return encode(dict({ announce: 'http://tracker.example/announce', ...extra, info }));
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
