export * from './bencode/index.js';
export * from './choking/index.js';
export * from './crypto/index.js';
export * from './dht/index.js';
export { BitloomError } from './errors.js';
export * from './events.js';
export * from './extensions/allowed-fast.js';
export * from './extensions/extended-handshake.js';
export * from './extensions/extension-registry.js';
export * from './extensions/ut-metadata.js';
export * from './extensions/ut-metadata-message.js';
export * from './extensions/ut-pex.js';
export * from './indices.js';
export { INPUT_LIMITS, type InputLimit } from './input-limits.js';
export * from './magnet/index.js';
export * from './metainfo/index.js';
export type { CloseReason, PeerClose } from './peer/close-reason.js';
export { PeerConnection, type PeerOwner } from './peer/peer-connection.js';
export * from './pieces/index.js';
export * from './platform/index.js';
export * from './rate/index.js';
export * from './requests/index.js';
export * from './resume/index.js';
export { makePeerId, PEER_ID_PREFIX } from './session/peer-id.js';
export {
  type AddTorrentOptions,
  Session,
  type SessionEvents,
  type SessionOptions,
} from './session/session.js';
export {
  defaultSettings,
  resolveSettings,
  SETTINGS_TABLE,
  type SettingName,
  type Settings,
  testingSettings,
} from './session/settings.js';
export type { ReadTorrentFile, TorrentSource } from './session/torrent-source.js';
export { deleteTorrentData } from './storage/delete-data.js';
export { FileLayout, type FileSpan } from './storage/file-layout.js';
export { PartFile, partFileName } from './storage/part-file.js';
export { PieceStorage, type VerifiedPiece, type WrittenPiece } from './storage/piece-storage.js';
export { PeerList, type PeerSource } from './swarm/peer-list.js';
export {
  FileReadStream,
  type ReadStreamOptions,
  StreamError,
  type StreamErrorCode,
} from './torrent/file-read-stream.js';
export { MetadataFetch, type MetadataFetchEvents } from './torrent/metadata-fetch.js';
export type { PeerInfo } from './torrent/peer-info.js';
export type { ResumeOptions, ResumeOutcome } from './torrent/resume-state.js';
export type { DialTarget } from './torrent/torrent.js';
export { type PeerDialer, Torrent, type TorrentOptions } from './torrent/torrent.js';
export {
  type FileSource,
  type FileStatus,
  TorrentFileHandle,
  verifiedBytesOfRange,
} from './torrent/torrent-file.js';
export type { TorrentEvents, TorrentState, TorrentStatus } from './torrent/torrent-status.js';
export * from './tracker/index.js';
export * from './wire/index.js';
