/**
 * The typed error of the bencode codec (BEP 3). Every decode failure carries a stable `BENCODE_*` code and the
 * byte offset in the input where the problem was found; encode failures carry offset -1.
 */
import { BitloomError } from '../errors.js';

/** Stable codes of {@link BencodeError}; callers match on these, never on the message. */
export type BencodeErrorCode =
  | 'BENCODE_UNEXPECTED_END'
  | 'BENCODE_UNEXPECTED_BYTE'
  | 'BENCODE_INVALID_INTEGER'
  | 'BENCODE_INTEGER_OUT_OF_RANGE'
  | 'BENCODE_INVALID_LENGTH'
  | 'BENCODE_NEGATIVE_LENGTH'
  | 'BENCODE_LENGTH_EXCEEDS_INPUT'
  | 'BENCODE_INVALID_KEY'
  | 'BENCODE_MISSING_VALUE'
  | 'BENCODE_UNSORTED_KEYS'
  | 'BENCODE_DUPLICATE_KEY'
  | 'BENCODE_DEPTH_EXCEEDED'
  | 'BENCODE_TOO_MANY_ITEMS'
  | 'BENCODE_INPUT_TOO_LARGE'
  | 'BENCODE_TRAILING_DATA'
  | 'BENCODE_UNENCODABLE';

export class BencodeError extends BitloomError {
  declare readonly code: BencodeErrorCode;
  /** Byte offset in the input where decoding failed; -1 for encode errors. */
  readonly offset: number;

  constructor(code: BencodeErrorCode, message: string, offset: number) {
    super(code, offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.name = 'BencodeError';
    this.offset = offset;
  }
}
