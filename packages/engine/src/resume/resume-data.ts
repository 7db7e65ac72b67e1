/**
 * The resume data codec, in the spirit of libtorrent's fastresume: a bencoded, versioned record of what one
 * torrent has verified and what it needs to restart (the info dictionary, the save path, the file selection),
 * with each file's size and modification time at the moment of saving so a file changed since is noticed.
 *
 * On disk: `d4:data<inner bencode>4:sha1<20 bytes>e`. The SHA-1 over the inner bytes turns a torn or bit-rotted
 * file into a clean "recheck" instead of a believed lie. Decoding is bounded and never throws anything but a
 * `ResumeError`.
 */
import {
  decode,
  encode,
  getBytes,
  getInt,
  getList,
  isDict,
  utf8Decode,
  utf8Encode,
} from '../bencode/index.js';
import type { BencodeDict, BencodeValue } from '../bencode/types.js';
import { equalBytes } from '../bytes.js';
import type { Hasher } from '../platform/hasher.js';
import { ResumeError } from './resume-error.js';

export const RESUME_DATA_VERSION = 1;

/** An info dictionary is at most 16 MiB (BEP 9 metadata limit); the rest is bitfield and per-file entries. */
const MAX_RESUME_BYTES = 24 * 1024 * 1024;
/** Two integers per file, up to 100,000 files (the metainfo limit), plus priorities. */
const MAX_RESUME_ITEMS = 500_000;

/** A data file as it was when the resume data was saved. */
export interface ResumeFileState {
  /** Bytes on disk, -1 when the file did not exist. */
  readonly size: number;
  /** Modification time in whole milliseconds (-1 when missing; 0 when the storage cannot tell). */
  readonly mtime: number;
}

export interface ResumeData {
  readonly infoHash: Uint8Array;
  /** The original bytes of the info dictionary (so a magnet link restarts without fetching metadata). */
  readonly infoBytes: Uint8Array;
  readonly savePath: string;
  /** Pieces verified and flushed to disk before this record was written: a bitfield in wire order. */
  readonly pieces: Uint8Array;
  /** One entry per file of the torrent, padding files included. */
  readonly files: readonly ResumeFileState[];
  /** Per-file priority (0 = skipped, 1–7), when one was set. */
  readonly filePriorities?: readonly number[];
  readonly sequential: boolean;
}

export async function encodeResumeData(data: ResumeData, hasher: Hasher): Promise<Uint8Array> {
  const inner: BencodeDict = new Map<string, BencodeValue>([
    ['version', RESUME_DATA_VERSION],
    ['info-hash', data.infoHash],
    ['info', data.infoBytes],
    ['save-path', utf8Encode(data.savePath)],
    ['pieces', data.pieces],
    ['files', data.files.map((file) => [file.size, file.mtime])],
    ['sequential', data.sequential ? 1 : 0],
  ]);
  if (data.filePriorities) inner.set('file-priorities', [...data.filePriorities]);
  const body = encode(inner);
  const checksum = await hasher.sha1(body);
  return encode(
    new Map<string, BencodeValue>([
      ['data', body],
      ['sha1', checksum],
    ]),
  );
}

/**
 * Reads resume data. Checks shape, checksum and version only; whether it belongs to a given torrent and folder
 * is `checkResumeData`'s job.
 * @throws ResumeError
 */
export async function decodeResumeData(bytes: Uint8Array, hasher: Hasher): Promise<ResumeData> {
  if (bytes.length > MAX_RESUME_BYTES) {
    throw new ResumeError('RESUME_MALFORMED', `resume data of ${bytes.length} bytes is over the limit`);
  }
  const outer = decodeDict(bytes, 'resume file');
  const body = getBytes(outer, 'data');
  const checksum = getBytes(outer, 'sha1');
  if (!body || !checksum) throw new ResumeError('RESUME_MALFORMED', 'resume file lacks data or sha1');
  if (!equalBytes(await hasher.sha1(body), checksum)) {
    throw new ResumeError('RESUME_CHECKSUM', 'resume data does not match its checksum');
  }
  const inner = decodeDict(body, 'resume data');
  const version = getInt(inner, 'version');
  if (version !== RESUME_DATA_VERSION) {
    throw new ResumeError(
      version === undefined ? 'RESUME_MALFORMED' : 'RESUME_VERSION',
      `resume data version ${version ?? 'missing'}, expected ${RESUME_DATA_VERSION}`,
    );
  }
  const infoHash = getBytes(inner, 'info-hash');
  const infoBytes = getBytes(inner, 'info');
  const savePath = getBytes(inner, 'save-path');
  const pieces = getBytes(inner, 'pieces');
  const files = getList(inner, 'files');
  const sequential = getInt(inner, 'sequential');
  if (!infoHash || !infoBytes || !savePath || !pieces || !files) {
    throw new ResumeError('RESUME_MALFORMED', 'resume data lacks a required field');
  }
  if (infoHash.length !== 20)
    throw new ResumeError('RESUME_MALFORMED', 'resume data: info-hash is not 20 bytes');
  if (sequential !== 0 && sequential !== 1) {
    throw new ResumeError('RESUME_MALFORMED', 'resume data: sequential is not 0 or 1');
  }
  let priorities: number[] | undefined;
  const rawPriorities = inner.get('file-priorities');
  if (rawPriorities !== undefined) {
    if (!Array.isArray(rawPriorities)) {
      throw new ResumeError('RESUME_MALFORMED', 'resume data: file priorities are not a list');
    }
    priorities = rawPriorities.map((p) => {
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 7) {
        throw new ResumeError('RESUME_MALFORMED', 'resume data: a file priority is not 0–7');
      }
      return p;
    });
  }
  return {
    infoHash,
    infoBytes,
    // Lossy decoding is fine: a path that changed in decoding just does not match, and the torrent is rechecked.
    savePath: utf8Decode(savePath),
    pieces,
    files: files.map(readFileState),
    ...(priorities && { filePriorities: priorities }),
    sequential: sequential === 1,
  };
}

function readFileState(entry: BencodeValue): ResumeFileState {
  if (Array.isArray(entry) && entry.length === 2) {
    const [size, mtime] = entry;
    if (isTimeOrSize(size) && isTimeOrSize(mtime)) return { size, mtime };
  }
  throw new ResumeError('RESUME_MALFORMED', 'resume data: a file entry is not [size, mtime]');
}

function isTimeOrSize(value: BencodeValue | undefined): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= -1;
}

function decodeDict(bytes: Uint8Array, what: string): BencodeDict {
  let value: BencodeValue;
  try {
    value = decode(bytes, { maxLength: MAX_RESUME_BYTES, maxItems: MAX_RESUME_ITEMS, maxDepth: 4 });
  } catch (error) {
    throw new ResumeError('RESUME_MALFORMED', `${what} is not valid bencode`, { cause: error });
  }
  if (!isDict(value)) throw new ResumeError('RESUME_MALFORMED', `${what} is not a dictionary`);
  return value;
}
