/**
 * Errors of the pieces module: a malformed bitfield from a peer (BEP 3 `bitfield` message) and caller bugs in
 * the piece picker (an index out of range, an inconsistent piece layout, a bad priority).
 */
import { BitloomError } from '../errors.js';

/** A bitfield that cannot be right: wrong byte length, spare bits set, or an index out of range. */
export class BitfieldError extends BitloomError {
  constructor(
    code: 'BITFIELD_BAD_LENGTH' | 'BITFIELD_SPARE_BITS' | 'BITFIELD_INDEX_OUT_OF_RANGE',
    message: string,
  ) {
    super(code, message);
    this.name = 'BitfieldError';
  }
}

/** The piece picker was called with arguments that cannot be right: this is always a caller bug. */
export class PiecePickerError extends BitloomError {
  constructor(
    code:
      | 'PICKER_BAD_LAYOUT'
      | 'PICKER_PIECE_OUT_OF_RANGE'
      | 'PICKER_BLOCK_OUT_OF_RANGE'
      | 'PICKER_BAD_PRIORITY'
      | 'PICKER_BITFIELD_LENGTH'
      | 'PICKER_TOO_MANY_CRITICAL',
    message: string,
  ) {
    super(code, message);
    this.name = 'PiecePickerError';
  }
}
