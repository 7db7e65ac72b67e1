/**
 * The Node.js `Platform`: real clock, cryptographic randomness, TCP and UDP sockets, file storage and SHA-1 on
 * worker threads, bundled with one `close()` that releases everything the platform holds.
 */
import type { Platform } from '@bitloom/engine';
import { FileStorage } from './file-storage.js';
import { NodeHttpClient } from './http-client.js';
import { NodeClock } from './node-clock.js';
import { NodeRandom } from './node-random.js';
import { NodeTcpTransport } from './tcp-transport.js';
import { NodeUdpTransport } from './udp-transport.js';
import { WorkerHasher } from './worker-hasher.js';

export interface NodePlatformOptions {
  /** SHA-1 worker threads; default one per core, 0 hashes on the main thread. */
  hashWorkers?: number;
  /** File handles kept open across all torrents; default 256. */
  maxOpenFiles?: number;
  /** Large writes skip the page cache (`O_DIRECT`) where the file system allows; default true. */
  directWrites?: boolean;
}

export interface NodePlatform extends Platform {
  readonly hasher: WorkerHasher;
  readonly tcp: NodeTcpTransport;
  readonly udp: NodeUdpTransport;
  readonly storage: FileStorage;
  /**
   * Terminates the hash workers, closes every torrent's files (after their in-flight I/O, fsyncing what was
   * written), stops listeners, closes UDP sockets and destroys remaining TCP connections.
   */
  close(): Promise<void>;
}

export function createNodePlatform(options: NodePlatformOptions = {}): NodePlatform {
  const hasher = new WorkerHasher(options.hashWorkers !== undefined ? { workers: options.hashWorkers } : {});
  const storage = new FileStorage({
    ...(options.maxOpenFiles !== undefined && { maxOpenFiles: options.maxOpenFiles }),
    ...(options.directWrites !== undefined && { directWrites: options.directWrites }),
    // The writer thread hashes the pieces it writes; when it falls behind, the pool takes over the hashing.
    ...(hasher.workerCount > 0 && { hasher }),
  });
  const tcp = new NodeTcpTransport();
  const udp = new NodeUdpTransport();
  let closing: Promise<void> | undefined;
  return {
    clock: new NodeClock(),
    random: new NodeRandom(),
    hasher,
    tcp,
    udp,
    storage,
    http: new NodeHttpClient(),
    close() {
      closing ??= Promise.all([hasher.close(), storage.close(), tcp.close(), udp.close()]).then(() => {});
      return closing;
    },
  };
}
