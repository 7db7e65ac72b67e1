/**
 * The BEP 10 extension protocol as one typed API: an extension registers a name, may add fields to our extended
 * handshake, hears the peer's handshake, and handles the messages sent to its id. bitloom's own extensions
 * (ut_metadata, and later ut_pex) are built on it. We number our extensions 1, 2, … in registration order; a peer
 * numbers its own, and we send each message with the id the PEER chose (its `m` dictionary).
 */
import type { BencodeValue } from '../bencode/index.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import {
  type ExtendedHandshake,
  encodeExtendedHandshake,
  ipv4Bytes,
  parseExtendedHandshake,
} from './extended-handshake.js';

export interface PeerExtension {
  /** The name in `m`, e.g. `ut_metadata`. */
  readonly name: string;
  /** Extra top-level fields for our extended handshake (e.g. `metadata_size`). */
  handshakeFields?(peer: PeerConnection): Record<string, BencodeValue>;
  /** The peer's extended handshake arrived; `supported` says whether it speaks this extension. */
  onHandshake?(peer: PeerConnection, handshake: ExtendedHandshake, supported: boolean): void;
  /** A message the peer sent to our id for this extension. The payload is untrusted. */
  onMessage(peer: PeerConnection, payload: Uint8Array): void;
  onPeerClosed?(peer: PeerConnection): void;
}

export interface HandshakeIdentity {
  readonly client: string;
  readonly reqq: number;
  readonly listenPort: number;
}

export class ExtensionRegistry {
  private readonly byLocalId = new Map<number, PeerExtension>();
  private readonly extensions: PeerExtension[] = [];

  register(extension: PeerExtension): void {
    this.extensions.push(extension);
    this.byLocalId.set(this.extensions.length, extension);
  }

  /** Sends our extended handshake: `m`, `v`, `reqq`, `p`, `yourip`, plus each extension's fields. */
  sendHandshake(peer: PeerConnection, identity: HandshakeIdentity): void {
    if (!peer.extensionProtocol) return;
    const m: Record<string, number> = {};
    const extra: Record<string, BencodeValue> = {};
    this.extensions.forEach((extension, i) => {
      m[extension.name] = i + 1;
      Object.assign(extra, extension.handshakeFields?.(peer));
    });
    const yourIp = ipv4Bytes(peer.remoteAddress);
    const payload = encodeExtendedHandshake({
      extensions: m,
      client: identity.client,
      reqq: identity.reqq,
      ...(identity.listenPort > 0 && { listenPort: identity.listenPort }),
      ...(yourIp && { yourIp }),
      extra,
    });
    peer.send({ type: 'extended', extendedId: 0, payload });
  }

  /** Routes an extended message: id 0 is the handshake, others go to the extension we numbered so. */
  handle(peer: PeerConnection, extendedId: number, payload: Uint8Array): void {
    if (extendedId === 0) {
      const handshake = parseExtendedHandshake(payload);
      if (!handshake) return;
      if (handshake.reqq !== undefined) peer.peerReqq = handshake.reqq;
      if (handshake.client !== undefined) peer.client = handshake.client;
      peer.peerExtensions = handshake.extensions;
      peer.peerMetadataSize = handshake.metadataSize;
      if (handshake.listenPort !== undefined) peer.peerListenPort = handshake.listenPort;
      for (const extension of this.extensions) {
        const id = handshake.extensions.get(extension.name);
        extension.onHandshake?.(peer, handshake, id !== undefined && id > 0);
      }
      return;
    }
    // Ids we never advertised are ignored, as BEP 10 asks.
    this.byLocalId.get(extendedId)?.onMessage(peer, payload);
  }

  /** Sends an extension message with the id the peer chose; false when the peer does not speak it. */
  send(peer: PeerConnection, name: string, payload: Uint8Array): boolean {
    const id = peer.peerExtensions.get(name);
    if (id === undefined || id === 0) return false;
    peer.send({ type: 'extended', extendedId: id, payload });
    return true;
  }

  peerClosed(peer: PeerConnection): void {
    for (const extension of this.extensions) extension.onPeerClosed?.(peer);
  }
}
