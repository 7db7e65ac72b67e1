/**
 * The typed errors of the Node.js platform. Every failure that leaves this package is a `BitloomError` with a
 * stable `code`; the operating system's error (with its `errno` code such as `ENOSPC`) is kept as `cause`.
 */
import { BitloomError } from '@bitloom/engine';

/**
 * Codes of {@link StorageError}:
 * - `STORAGE_MISSING` the file does not exist (read of a file never written)
 * - `STORAGE_SHORT_READ` the file ends before `position + length`
 * - `STORAGE_DISK_FULL` `ENOSPC` / `EDQUOT`
 * - `STORAGE_READ_ONLY` `EACCES` / `EPERM` / `EROFS`
 * - `STORAGE_PATH_ESCAPE` a file path resolves outside the torrent's root
 * - `STORAGE_BAD_SPEC` a file spec or an I/O argument is malformed (caller bug)
 * - `STORAGE_OUT_OF_BOUNDS` a read or write reaches past the file's torrent length (caller bug)
 * - `STORAGE_CLOSED` the files were closed
 * - `STORAGE_IO` any other operating-system failure
 */
export type StorageErrorCode =
  | 'STORAGE_MISSING'
  | 'STORAGE_SHORT_READ'
  | 'STORAGE_DISK_FULL'
  | 'STORAGE_READ_ONLY'
  | 'STORAGE_PATH_ESCAPE'
  | 'STORAGE_BAD_SPEC'
  | 'STORAGE_OUT_OF_BOUNDS'
  | 'STORAGE_CLOSED'
  | 'STORAGE_IO';

/** A file-storage failure. */
export class StorageError extends BitloomError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

/** Maps an operating-system error from `fs` to a {@link StorageError}; `missingCode` is used for `ENOENT`. */
export function storageErrorFromSystem(
  cause: unknown,
  operation: string,
  filePath: string,
  missingCode: StorageErrorCode = 'STORAGE_IO',
): StorageError {
  const errno = systemErrorCode(cause);
  const where = `${operation} ${filePath}`;
  switch (errno) {
    case 'ENOENT':
      return new StorageError(missingCode, `${where}: no such file`, { cause });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('STORAGE_DISK_FULL', `${where}: disk full`, { cause });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageError('STORAGE_READ_ONLY', `${where}: not writable (${errno})`, { cause });
    default:
      return new StorageError('STORAGE_IO', `${where}: ${errno ?? 'failed'}`, { cause });
  }
}

/**
 * Codes of {@link SocketError}:
 * - `NET_CONNECT_FAILED` the TCP connection could not be made (refused, unreachable, bad address or port)
 * - `NET_CONNECT_ABORTED` the caller's signal aborted the attempt
 * - `NET_CONNECTION_FAILED` an established connection failed (reset, broken pipe, …); given to `close`
 * - `NET_LISTEN_FAILED` the TCP listener could not bind
 * - `NET_UDP_BIND_FAILED` the UDP socket could not bind
 */
export type SocketErrorCode =
  | 'NET_CONNECT_FAILED'
  | 'NET_CONNECT_ABORTED'
  | 'NET_CONNECTION_FAILED'
  | 'NET_LISTEN_FAILED'
  | 'NET_UDP_BIND_FAILED';

/** A socket failure. */
export class SocketError extends BitloomError {
  declare readonly code: SocketErrorCode;

  constructor(code: SocketErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SocketError';
  }
}

/**
 * Codes of {@link HasherError}:
 * - `HASHER_CLOSED` the hasher was closed before the digest was computed
 * - `HASHER_WORKER_FAILED` the worker thread died while hashing
 */
export type HasherErrorCode = 'HASHER_CLOSED' | 'HASHER_WORKER_FAILED';

/** A hashing failure. */
export class HasherError extends BitloomError {
  declare readonly code: HasherErrorCode;

  constructor(code: HasherErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HasherError';
  }
}

/** The `errno` code (`'ENOENT'`, …) of a Node system error, if it is one. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
