/**
 * The typed error of magnet link parsing and formatting (BEP 9, BEP 53). Callers match on the stable
 * `MAGNET_*` code, never on the message.
 */
import { BitloomError } from '../errors.js';

export type MagnetErrorCode =
  | 'MAGNET_NOT_A_MAGNET'
  | 'MAGNET_TOO_LONG'
  | 'MAGNET_INVALID_ESCAPE'
  | 'MAGNET_INVALID_INFO_HASH'
  | 'MAGNET_CONFLICTING_INFO_HASH'
  | 'MAGNET_MISSING_INFO_HASH'
  | 'MAGNET_INVALID_SELECT_ONLY'
  | 'MAGNET_TOO_MANY_RANGES'
  | 'MAGNET_INVALID_HEX'
  | 'MAGNET_INVALID_LINK';

export class MagnetError extends BitloomError {
  declare readonly code: MagnetErrorCode;

  constructor(code: MagnetErrorCode, message: string) {
    super(code, message);
    this.name = 'MagnetError';
  }
}
