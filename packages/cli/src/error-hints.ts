/**
 * The "what to do" part of an error line: a short hint chosen by the error's code (a BitloomError code or a
 * system errno), so that `bitloom: X: no such file or directory` goes on with `; check the path`. No hint is
 * better than a wrong one: codes not listed here get none.
 */

interface CodedError {
  readonly code?: unknown;
}

const HINTS: Record<string, string> = {
  ENOENT: 'check the path',
  ENOTDIR: 'check the path',
  EACCES: 'check its permissions',
  EPERM: 'check its permissions',
  EROFS: 'choose a writable place',
  CLI_DOWNLOAD_FOLDER: 'choose another folder with -o',
  ENOSPC: 'free some space and run the command again (verified data is kept)',
  STORAGE_DISK_FULL: 'free some space and run the command again (verified data is kept)',
  EADDRINUSE: 'another program uses that port: choose another with --port (0: any free port)',
  EADDRNOTAVAIL: 'give an address of this machine with --listen (0.0.0.0: every address)',
  NET_LISTEN_FAILED: 'check --listen and --port (--port 0: any free port)',
  METAINFO_MALFORMED: 'check that it is a .torrent file and was not cut short',
  METAINFO_INVALID: 'the .torrent file is damaged: get it again',
  METAINFO_BAD_LENGTH: 'the .torrent file is damaged: get it again',
  METAINFO_BAD_PIECES: 'the .torrent file is damaged: get it again',
  METAINFO_BAD_PIECE_LENGTH: 'the .torrent file is damaged: get it again',
  METAINFO_UNSUPPORTED_VERSION: 'only v1 and hybrid torrents are supported',
  CLI_METADATA_TIMEOUT: 'give a peer that has the torrent with --peer, or a longer --timeout',
};

/** Codes whose messages already say what to do. */
const SELF_EXPLAINING = new Set(['METAINFO_TOO_LARGE', 'CLI_USAGE']);

/**
 * The hint for `error`: the one of the deepest error in its `cause` chain that has one, since a cause (the
 * errno under "listen failed") is the more specific.
 */
export function hintFor(error: unknown): string | undefined {
  let hint: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code } = current as CodedError;
    if (typeof code === 'string') {
      if (depth === 0 && SELF_EXPLAINING.has(code)) return undefined;
      hint = HINTS[code] ?? hint;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return hint;
}
