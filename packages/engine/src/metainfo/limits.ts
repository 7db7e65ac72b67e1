/**
 * Bounds applied to untrusted metainfo (BEP 3 `.torrent` files, BEP 9 metadata) before anything is allocated
 * from the counts and lengths it declares. All are overridable per call; the defaults follow libtorrent's
 * `torrent_info` limits where one exists.
 */

/** Limits for parseTorrent / parseInfoDictionary. */
export interface MetainfoLimits {
  /** Largest `.torrent` file accepted, checked before decoding. Default 10 MiB (libtorrent: 10 MB). */
  maxTorrentBytes: number;
  /** Largest bare info dictionary (BEP 9 metadata) accepted. Default 16 MiB, the session's metadata limit. */
  maxInfoBytes: number;
  /**
   * Most bencode values decoded in one file. Default 2,000,000 (libtorrent's `max_decode_tokens`): every value
   * becomes a JS object, so 10 MiB of `0:` would otherwise cost gigabytes.
   */
  maxBencodeItems: number;
  /**
   * Most files in one torrent. Default 100,000: the largest real torrents (software archives, datasets) hold
   * tens of thousands of files, while each file costs an object, a sanitised path and later an open-file slot,
   * so this keeps a hostile torrent's memory bounded to tens of megabytes.
   */
  maxFiles: number;
  /** Most path elements in one file path. Default 64 (far beyond real trees, small enough to render). */
  maxPathDepth: number;
  /**
   * Most pieces. Default 2,000,000 (libtorrent's `max_pieces` is 2^21): the piece bitfield and per-piece
   * bookkeeping are allocated from this count.
   */
  maxPieces: number;
  /**
   * Smallest `piece length`. Default 1: BEP 3 allows any positive length (many old torrents use odd sizes);
   * the piece-count limit already bounds the cost of tiny pieces.
   */
  minPieceLength: number;
  /**
   * Largest `piece length`. Default 256 MiB: a piece is buffered whole in memory while it is verified, and no
   * tool creates pieces larger than 64 MiB.
   */
  maxPieceLength: number;
}

export const DEFAULT_METAINFO_LIMITS: Readonly<MetainfoLimits> = Object.freeze({
  maxTorrentBytes: 10 * 1024 * 1024,
  maxInfoBytes: 16 * 1024 * 1024,
  maxBencodeItems: 2_000_000,
  maxFiles: 100_000,
  maxPathDepth: 64,
  maxPieces: 2_000_000,
  minPieceLength: 1,
  maxPieceLength: 256 * 1024 * 1024,
});

/** The defaults with the caller's overrides applied. */
export function resolveLimits(overrides?: Partial<MetainfoLimits>): MetainfoLimits {
  return { ...DEFAULT_METAINFO_LIMITS, ...overrides };
}
