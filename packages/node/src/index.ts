export { createSession, type NodeSessionOptions } from './create-session.js';
export {
  HasherError,
  type HasherErrorCode,
  SocketError,
  type SocketErrorCode,
  StorageError,
  type StorageErrorCode,
} from './errors.js';
export { createFileResumeStore } from './file-resume-store.js';
export { FileStorage, type FileStorageOptions } from './file-storage.js';
export { decideRange, type RangeDecision } from './http/byte-range.js';
export { contentTypeFor } from './http/content-type.js';
export {
  type FileServer,
  type FileServerOptions,
  type ServedFile,
  type ServedTorrent,
  serveTorrentFiles,
} from './http/file-server.js';
export { NodeHttpClient } from './http-client.js';
export { makeDirectories } from './make-directories.js';
export { NodeClock } from './node-clock.js';
export { NodeRandom } from './node-random.js';
export { createNodePlatform, type NodePlatform, type NodePlatformOptions } from './platform.js';
export { readTorrentFile } from './read-torrent-file.js';
export * from './scan-files.js';
export { TcpConnection } from './tcp-connection.js';
export { NodeTcpTransport } from './tcp-transport.js';
export { NodeUdpSocket, NodeUdpTransport } from './udp-transport.js';
export { INLINE_HASH_LIMIT, sha1Inline, WorkerHasher, type WorkerHasherOptions } from './worker-hasher.js';
