/**
 * The error every metainfo failure is reported as (BEP 3 `.torrent` files and BEP 9 info dictionaries).
 * Callers match on `code`; the message says what was wrong in words a user can act on.
 */
import { BitloomError } from '../errors.js';

/** Stable codes of {@link MetainfoError}. */
export type MetainfoErrorCode =
  /** The input is larger than the configured limit (checked before decoding). */
  | 'METAINFO_TOO_LARGE'
  /** The bytes are not valid bencode (the cause is the BencodeError with its offset). */
  | 'METAINFO_MALFORMED'
  /** A required key is missing or has the wrong type or value. */
  | 'METAINFO_INVALID'
  /** `piece length` is missing, not positive, or outside the configured bounds. */
  | 'METAINFO_BAD_PIECE_LENGTH'
  /** `pieces` is missing or its length does not match the data length. */
  | 'METAINFO_BAD_PIECES'
  /** More pieces than the configured limit. */
  | 'METAINFO_TOO_MANY_PIECES'
  /** More files than the configured limit. */
  | 'METAINFO_TOO_MANY_FILES'
  /** A file path nests deeper than the configured limit. */
  | 'METAINFO_PATH_TOO_DEEP'
  /** A file path is missing, empty or cannot be made safe. */
  | 'METAINFO_BAD_PATH'
  /** A file length is negative, not an integer, or the total does not fit a safe integer. */
  | 'METAINFO_BAD_LENGTH'
  /** A pure BitTorrent v2 torrent (BEP 52) without a v1 part. */
  | 'METAINFO_V2_UNSUPPORTED'
  /** A `meta version` this implementation does not know, without a v1 part to fall back on. */
  | 'METAINFO_UNSUPPORTED_VERSION'
  /** createTorrent was called with options that cannot make a valid torrent (a caller bug). */
  | 'METAINFO_BAD_OPTIONS'
  /** pieceSize / pieceHash was asked for a piece the torrent does not have (a caller bug). */
  | 'METAINFO_PIECE_OUT_OF_RANGE'
  /** createTorrent's `readFile` returned fewer or more bytes than asked for (the file changed?). */
  | 'METAINFO_READ_FAILED';

/** A `.torrent` file or info dictionary that cannot be used, or bad options to createTorrent. */
export class MetainfoError extends BitloomError {
  declare readonly code: MetainfoErrorCode;

  constructor(code: MetainfoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MetainfoError';
  }
}
