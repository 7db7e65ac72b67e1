/** Metainfo: `.torrent` files and info dictionaries (BEP 3, 9, 12, 19, 27, 47; BEP 52 hybrids via v1). */
export {
  type CreateTorrentFile,
  type CreateTorrentOptions,
  createTorrent,
  type ReadFileRange,
} from './create-torrent.js';
export type { TorrentFile, TorrentFileList } from './file-list.js';
export {
  MAX_PATH_ELEMENT_BYTES,
  neutralizeControlChars,
  sanitizePath,
  sanitizePathElement,
} from './file-path.js';
export { type InfoDictionary, parseInfoDictionary } from './info-dictionary.js';
export { DEFAULT_METAINFO_LIMITS, type MetainfoLimits } from './limits.js';
export { MetainfoError, type MetainfoErrorCode } from './metainfo-error.js';
export { type Metainfo, parseTorrent } from './parse-metainfo.js';
export {
  autoPieceLength,
  MAX_AUTO_PIECE_LENGTH,
  MIN_AUTO_PIECE_LENGTH,
  PIECE_HASH_LENGTH,
  pieceCountFor,
  pieceHash,
  pieceSize,
} from './piece-length.js';
export { isTrackerUrl, isWebSeedUrl } from './tracker-urls.js';
export { makePathsUnique } from './unique-paths.js';
