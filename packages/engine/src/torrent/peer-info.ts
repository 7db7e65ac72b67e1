/** One connected peer as `torrent.peerInfo()` reports it: plain data, safe to log or send as JSON. */
import { toHex } from '../bytes.js';
import type { PeerConnection } from '../peer/peer-connection.js';

export interface PeerInfo {
  /** `host:port` (IPv6 in brackets). */
  readonly address: string;
  /** The client name from its extended handshake (BEP 10 `v`), if it sent one; untrusted text. */
  readonly client: string | undefined;
  /** 40 hex digits, once the handshake is done. */
  readonly peerId: string | undefined;
  /** We dialled it (false: it connected to us). */
  readonly outgoing: boolean;
  /** Payload bytes per second from it and to it, over the last few seconds. */
  readonly downloadRate: number;
  readonly uploadRate: number;
  /** Share of the torrent's pieces it has, 0–1. */
  readonly progress: number;
  readonly amChoking: boolean;
  readonly amInterested: boolean;
  readonly peerChoking: boolean;
  readonly peerInterested: boolean;
  /** It delivered nothing for a while although we asked: one request at a time. */
  readonly snubbed: boolean;
  /** It supports the Fast extension (BEP 6) and the extension protocol (BEP 10). */
  readonly fastExtension: boolean;
  readonly extensionProtocol: boolean;
  /** Blocks we asked it for and still wait on; blocks it asked us for and still waits on. */
  readonly requestsOut: number;
  readonly requestsIn: number;
}

export function peerInfoOf(peer: PeerConnection, pieceCount: number, now: number): PeerInfo {
  const had = peer.peerIsSeed ? pieceCount : (peer.peerHas?.count() ?? 0);
  return {
    address: peer.address,
    client: peer.client,
    peerId: peer.peerId && toHex(peer.peerId),
    outgoing: peer.outgoing,
    downloadRate: peer.downloadRate.rate(now),
    uploadRate: peer.uploadRate.rate(now),
    progress: pieceCount === 0 ? 1 : had / pieceCount,
    amChoking: peer.amChoking,
    amInterested: peer.amInterested,
    peerChoking: peer.peerChoking,
    peerInterested: peer.peerInterested,
    snubbed: peer.snubbed,
    fastExtension: peer.fastExtension,
    extensionProtocol: peer.extensionProtocol,
    requestsOut: peer.outstanding.size,
    requestsIn: peer.incomingRequestCount,
  };
}
