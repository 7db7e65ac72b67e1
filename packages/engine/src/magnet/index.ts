/** Magnet links (BEP 9, BEP 53): parsing, formatting and info-hash text forms. */
export { formatMagnet } from './format-magnet.js';
export { base32ToBytes, bytesToBase32, hexToBytes, infoHashToHex } from './hex.js';
export { MagnetError, type MagnetErrorCode } from './magnet-error.js';
export {
  type FileIndexRange,
  MAX_MAGNET_FILE_INDEX,
  MAX_MAGNET_PEERS,
  MAX_MAGNET_SELECT_RANGES,
  MAX_MAGNET_TRACKERS,
  MAX_MAGNET_URI_LENGTH,
  MAX_MAGNET_WEB_SEEDS,
  type MagnetLink,
  type MagnetPeer,
} from './magnet-link.js';
export { parseMagnet } from './parse-magnet.js';
