/** Why a resume file was not used. The torrent then hash-checks its data instead: never a crash, never a loss. */
import { BitloomError } from '../errors.js';

export type ResumeErrorCode =
  /** Not bencode, not the expected shape, a field missing or of the wrong type, or over a limit. */
  | 'RESUME_MALFORMED'
  /** The checksum over the contents does not match (a torn or bit-rotted file). */
  | 'RESUME_CHECKSUM'
  /** Written by a newer bitloom. */
  | 'RESUME_VERSION'
  /** Resume data for another torrent, another folder, or another file list. */
  | 'RESUME_MISMATCH'
  /** A piece the resume data claims fails its hash check (found by the spot check). */
  | 'RESUME_LYING';

export class ResumeError extends BitloomError {
  declare readonly code: ResumeErrorCode;

  constructor(code: ResumeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ResumeError';
  }
}
