/**
 * The entry point a Node.js program calls: a bitloom session on the Node platform (real sockets, files, clock,
 * SHA-1 on worker threads). Closing the session also releases the platform (workers, open files). Its `add()` also
 * takes a path to a .torrent file.
 */
import { Session, type SessionOptions } from '@bitloom/engine';
import { createNodePlatform, type NodePlatform } from './platform.js';
import { readTorrentFile } from './read-torrent-file.js';

export interface NodeSessionOptions extends Omit<SessionOptions, 'platform'> {
  /** Use an existing platform (it is then not closed with the session). */
  readonly platform?: NodePlatform;
  /** Worker threads for hashing; default: one per core. */
  readonly hashWorkers?: number;
  /** Large writes skip the page cache (`O_DIRECT`) where the file system allows; default true. */
  readonly directWrites?: boolean;
}

export async function createSession(options: NodeSessionOptions = {}): Promise<Session> {
  const ownPlatform = options.platform === undefined;
  const platform =
    options.platform ??
    createNodePlatform({
      ...(options.hashWorkers !== undefined && { hashWorkers: options.hashWorkers }),
      ...(options.directWrites !== undefined && { directWrites: options.directWrites }),
    });
  try {
    return await Session.create({
      readTorrentFile,
      ...options,
      platform,
      ...(ownPlatform ? { afterClose: () => platform.close() } : {}),
    });
  } catch (error) {
    if (ownPlatform) await platform.close();
    throw error;
  }
}
