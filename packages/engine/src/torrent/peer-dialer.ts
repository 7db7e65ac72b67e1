/**
 * How torrents and magnet fetches ask the session for outgoing connections: the session owns the connection
 * limits and dials on their behalf.
 */
import type { PeerOwner } from '../peer/peer-connection.js';

/** Something the session dials peers for: a torrent, or a magnet link still fetching its metadata. */
export interface DialTarget extends PeerOwner {
  readonly infoHashHex: string;
  /** A connection dialled for it failed before its handshake. */
  dialFailed(host: string, port: number): void;
}

export interface PeerDialer {
  /** How many more outgoing connections may start now. */
  dialBudget(): number;
  dial(target: DialTarget, host: string, port: number): void;
}
