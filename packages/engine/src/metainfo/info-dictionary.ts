/**
 * The info dictionary (BEP 3): what a torrent's content is — name, piece length, piece hashes and files —
 * identified by the SHA-1 of its bencoded bytes, the info-hash. It is what BEP 9 metadata exchange transfers,
 * so it can be parsed on its own. BEP 52 hybrid torrents are used through their v1 part; pure v2 torrents are
 * refused with METAINFO_V2_UNSUPPORTED.
 */
import {
  type BencodeDict,
  BencodeError,
  type BencodeValue,
  decode,
  isBytes,
  isDict,
  utf8Decode,
} from '../bencode/index.js';
import { toHex } from '../bytes.js';
import type { Hasher } from '../platform/index.js';
import { readFileList, type TorrentFile } from './file-list.js';
import { sanitizePathElement } from './file-path.js';
import { type MetainfoLimits, resolveLimits } from './limits.js';
import { MetainfoError } from './metainfo-error.js';
import { PIECE_HASH_LENGTH, pieceCountFor } from './piece-length.js';

/** A parsed info dictionary: everything needed to download and verify the content. */
export interface InfoDictionary {
  /** SHA-1 of the ORIGINAL bytes of the info dictionary (not of a re-encoding). */
  readonly infoHash: Uint8Array;
  /** `infoHash` as 40 lowercase hex digits. */
  readonly infoHashHex: string;
  /** The original bytes of the info dictionary, as served over ut_metadata (BEP 9). */
  readonly infoBytes: Uint8Array;
  /** The torrent name, sanitised (the folder of a multi-file torrent, the file of a single-file one). */
  readonly name: string;
  /** Bytes per piece (any positive length; the last piece may be shorter). */
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** `pieceCount` SHA-1 hashes of 20 bytes each, concatenated. */
  readonly pieceHashes: Uint8Array;
  /** Sum of all file lengths, padding files included. */
  readonly totalLength: number;
  readonly files: readonly TorrentFile[];
  /** True when the info dictionary has a `files` list (even with one entry). */
  readonly multiFile: boolean;
  /** BEP 27: use only the torrent's trackers (no DHT, PEX or local discovery). */
  readonly private: boolean;
  /** BEP 52 hybrid torrent, used through its v1 part. */
  readonly hybrid: boolean;
}

/** Wraps a bencode failure so callers see one error type with the offset in the message. */
export function malformed(error: unknown, what: string): MetainfoError {
  if (error instanceof BencodeError) {
    // The bencode message already ends with "(at byte N)".
    return new MetainfoError('METAINFO_MALFORMED', `${what} is not valid bencode: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof MetainfoError) return error;
  return new MetainfoError('METAINFO_MALFORMED', `${what} could not be decoded`, { cause: error });
}

function readPieceLength(info: BencodeDict, limits: MetainfoLimits): number {
  const value: BencodeValue | undefined = info.get('piece length');
  if (value === undefined) throw new MetainfoError('METAINFO_BAD_PIECE_LENGTH', '`piece length` is missing');
  if (
    typeof value !== 'number' ||
    value < 1 ||
    value < limits.minPieceLength ||
    value > limits.maxPieceLength
  ) {
    throw new MetainfoError(
      'METAINFO_BAD_PIECE_LENGTH',
      `\`piece length\` ${String(value)} is not between ${limits.minPieceLength} and ${limits.maxPieceLength}`,
    );
  }
  return value;
}

/** Pure v2 torrents are refused clearly; hybrids (v1 `pieces` present) are used through their v1 part. */
function readVersion(info: BencodeDict): { hybrid: boolean } {
  const metaVersion = info.get('meta version');
  const hasV1Pieces = info.has('pieces');
  const hasV2Parts = metaVersion === 2 || info.has('file tree');
  if (!hasV1Pieces && hasV2Parts) {
    throw new MetainfoError(
      'METAINFO_V2_UNSUPPORTED',
      'this is a BitTorrent v2-only torrent (BEP 52); v2 is not supported yet, only v1 and hybrid torrents',
    );
  }
  if (!hasV1Pieces && metaVersion !== undefined && metaVersion !== 1) {
    throw new MetainfoError(
      'METAINFO_UNSUPPORTED_VERSION',
      `unknown torrent \`meta version\` ${String(metaVersion)} and no v1 \`pieces\` to fall back on`,
    );
  }
  return { hybrid: hasV1Pieces && hasV2Parts };
}

function readPieces(info: BencodeDict, pieceCount: number, limits: MetainfoLimits): Uint8Array {
  if (pieceCount > limits.maxPieces) {
    throw new MetainfoError(
      'METAINFO_TOO_MANY_PIECES',
      `the torrent has ${pieceCount} pieces, more than the limit of ${limits.maxPieces}`,
    );
  }
  const pieces = info.get('pieces');
  if (!isBytes(pieces)) throw new MetainfoError('METAINFO_BAD_PIECES', '`pieces` is missing or not a string');
  if (pieces.length !== pieceCount * PIECE_HASH_LENGTH) {
    throw new MetainfoError(
      'METAINFO_BAD_PIECES',
      `\`pieces\` holds ${pieces.length} bytes; ${pieceCount} pieces need ${pieceCount * PIECE_HASH_LENGTH}`,
    );
  }
  // A copy, so the result does not pin (or change with) the caller's whole input buffer.
  return pieces.slice();
}

/** Prefers `name.utf-8` (older clients wrote `name` in a local codepage), as libtorrent does. */
function readRawName(info: BencodeDict): string | undefined {
  const utf8Name = info.get('name.utf-8');
  const name = isBytes(utf8Name) ? utf8Name : info.get('name');
  return isBytes(name) ? utf8Decode(name) : undefined;
}

/**
 * Builds the InfoDictionary from an already decoded `info` dict and its original bytes (parseTorrent uses
 * this so the file is decoded once).
 */
export async function readInfoDictionary(
  info: BencodeDict,
  infoBytes: Uint8Array,
  hasher: Hasher,
  limits: MetainfoLimits,
): Promise<InfoDictionary> {
  const { hybrid } = readVersion(info);
  const pieceLength = readPieceLength(info, limits);
  const infoHash = await hasher.sha1(infoBytes);
  const infoHashHex = toHex(infoHash);
  const rawName = readRawName(info);
  // A missing or unusable name becomes the info-hash, so such torrents still get distinct folders (libtorrent).
  const name = (rawName === undefined ? undefined : sanitizePathElement(rawName)) ?? infoHashHex;
  const { files, totalLength, multiFile } = readFileList(info, name, rawName ?? infoHashHex, limits);
  const pieceCount = pieceCountFor(totalLength, pieceLength);
  const pieceHashes = readPieces(info, pieceCount, limits);
  return {
    infoHash,
    infoHashHex,
    infoBytes,
    name,
    pieceLength,
    pieceCount,
    pieceHashes,
    totalLength,
    files,
    multiFile,
    private: info.get('private') === 1,
    hybrid,
  };
}

/**
 * Parses a bare info dictionary, e.g. the metadata a peer sent over ut_metadata (BEP 9). The caller checks
 * the result's `infoHash` against the one it asked for.
 *
 * @throws MetainfoError (codes `METAINFO_*`) for anything malformed, unsafe or over a limit.
 */
export async function parseInfoDictionary(
  infoBytes: Uint8Array,
  hasher: Hasher,
  limits?: Partial<MetainfoLimits>,
): Promise<InfoDictionary> {
  const resolved = resolveLimits(limits);
  if (infoBytes.length > resolved.maxInfoBytes) {
    throw new MetainfoError(
      'METAINFO_TOO_LARGE',
      `the info dictionary is ${infoBytes.length} bytes, more than the limit of ${resolved.maxInfoBytes}`,
    );
  }
  let value: BencodeValue;
  try {
    value = decode(infoBytes, { maxItems: resolved.maxBencodeItems, maxLength: resolved.maxInfoBytes });
  } catch (error) {
    throw malformed(error, 'the info dictionary');
  }
  if (!isDict(value)) throw new MetainfoError('METAINFO_INVALID', 'the info dictionary is not a dictionary');
  return readInfoDictionary(value, infoBytes.slice(), hasher, resolved);
}
