/**
 * The one error type bitloom throws or reports. Callers match on `code`, never on the message.
 * Module-specific errors extend it with their own codes (`BENCODE_*`, `METAINFO_*`, …).
 */
export class BitloomError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BitloomError';
    this.code = code;
  }
}
