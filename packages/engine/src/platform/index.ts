export type { CancelTimer, Clock } from './clock.js';
export { type Hasher, type MovedDigest, sha1Moving } from './hasher.js';
export {
  HTTP_DEFAULT_MAX_REDIRECTS,
  type HttpClient,
  HttpError,
  type HttpErrorCode,
  type HttpGetOptions,
  type HttpResponse,
} from './http.js';
export type {
  Connection,
  ConnectionHandlers,
  Listener,
  TcpTransport,
  UdpSocket,
  UdpTransport,
} from './network.js';
export type { Platform } from './platform.js';
export { type Random, randomInt, shuffle } from './random.js';
export {
  type Storage,
  type StorageFileSpec,
  type TorrentFiles,
  type VerifiedWrite,
  writeMoving,
} from './storage.js';
