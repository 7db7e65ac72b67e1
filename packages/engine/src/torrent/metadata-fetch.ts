/**
 * A magnet link before its metadata (BEP 9): finds peers (the link's `x.pe` peers and `tr` trackers), connects,
 * and fetches the info dictionary over ut_metadata from every peer that offers it. Once the dictionary verifies
 * against the info-hash it is parsed and handed to the session, which starts the real torrent with the peers found
 * so far. Piece-level messages are ignored in this phase (nothing can be checked without the piece count).
 */
import { BitloomError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import { ExtensionRegistry } from '../extensions/extension-registry.js';
import { UtMetadata } from '../extensions/ut-metadata.js';
import type { MagnetLink } from '../magnet/index.js';
import { type InfoDictionary, parseInfoDictionary } from '../metainfo/index.js';
import type { PeerClose } from '../peer/close-reason.js';
import type { BlockRange, PeerConnection } from '../peer/peer-connection.js';
import type { Platform } from '../platform/platform.js';
import type { Settings } from '../session/settings.js';
import type { DhtPeerSource } from '../swarm/dht-peer-finder.js';
import { PeerList } from '../swarm/peer-list.js';
import type { TrackerStatus } from '../tracker/index.js';
import type { BlockPayload } from '../wire/index.js';
import { PeerDiscovery } from './peer-discovery.js';
import { CLIENT_NAME, type DialTarget, type PeerDialer } from './torrent.js';

export type MetadataFetchEvents = {
  /** Pieces of the info dictionary received so far. */
  progress: { received: number; total: number; peers: number };
  /** The verified, parsed info dictionary. */
  metadata: InfoDictionary;
  /** A peer sent metadata of the wrong size or content and is not asked again. */
  'bad-peer': { address: string; reason: string };
  error: Error;
  /** Stopped before the metadata arrived (removed, or the session closed): no `metadata` will follow. */
  stopped: undefined;
};

export interface MetadataFetchOptions {
  readonly link: MagnetLink;
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly platform: Platform;
  readonly settings: Settings;
  readonly dialer: PeerDialer;
  readonly peerId: Uint8Array;
  readonly listenPort: () => number;
  readonly isSelf: (host: string, port: number) => boolean;
  /** Tracker tiers: the link's `tr` (one tier each) plus any the caller adds. */
  readonly trackers: readonly (readonly string[])[];
  /** The session's DHT, when it runs one: how a magnet link without trackers finds peers. */
  readonly dht?: DhtPeerSource;
}

export class MetadataFetch extends TypedEmitter<MetadataFetchEvents> implements DialTarget {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  readonly pieceCount = 0;
  readonly hasMetadata = false;
  readonly knownPeers: PeerList;
  readonly peers = new Map<number, PeerConnection>();
  private readonly options: MetadataFetchOptions;
  private readonly extensions = new ExtensionRegistry();
  private readonly metadata: UtMetadata;
  private readonly discovery: PeerDiscovery;
  private running = false;
  private gotMetadata = false;

  constructor(options: MetadataFetchOptions) {
    super();
    this.options = options;
    this.infoHash = options.infoHash;
    this.infoHashHex = options.infoHashHex;
    this.knownPeers = new PeerList(options.settings.maxKnownPeersPerTorrent);
    this.metadata = new UtMetadata({
      infoHash: options.infoHash,
      hasher: options.platform.hasher,
      registry: this.extensions,
      now: () => options.platform.clock.now(),
      infoBytes: () => undefined,
      onMetadata: (bytes) => void this.metadataArrived(bytes),
      onBadPeer: (peer, why) => this.emit('bad-peer', { address: peer.address, reason: why }),
    });
    this.extensions.register(this.metadata);
    this.discovery = new PeerDiscovery({
      infoHash: options.infoHash,
      private: false,
      peerId: options.peerId,
      platform: options.platform,
      listenPort: options.listenPort,
      trackers: options.trackers,
      dht: options.dht,
      // Size unknown: `left` must still be non-zero so trackers count us as a leecher.
      stats: () => ({ uploaded: 0, downloaded: 0, left: 1 }),
      addPeer: (host, port) => this.addPeer(host, port),
    });
  }

  start(): void {
    this.running = true;
    for (const peer of this.options.link.peers) this.addPeer(peer.host, peer.port);
    this.discovery.start(true);
    this.connectToPeers();
  }

  /** Stops fetching: closes every connection (the torrent that follows dials them again). */
  async stop(): Promise<void> {
    const wasFetching = this.running && !this.gotMetadata;
    this.running = false;
    if (wasFetching) this.emit('stopped', undefined);
    for (const peer of [...this.peers.values()]) peer.close('torrent-stopped', 'metadata phase over');
    await this.discovery.stop();
  }

  addPeer(host: string, port: number): boolean {
    if (this.options.isSelf(host, port)) return false;
    const added = this.knownPeers.add(host, port, 'manual');
    if (added && this.running) this.connectToPeers();
    return added;
  }

  /** Addresses worth handing to the torrent once the metadata is in. */
  peerAddresses(): { host: string; port: number }[] {
    return this.knownPeers.addresses();
  }

  trackers(): TrackerStatus[] {
    return this.discovery.trackers();
  }

  progress(): { received: number; total: number; peers: number } {
    return { ...this.metadata.progress(), peers: this.peers.size };
  }

  tick(now: number): void {
    if (!this.running) return;
    for (const peer of [...this.peers.values()]) peer.tick(now);
    this.metadata.tick(now);
    this.connectToPeers();
    this.discovery.tick(now, true);
  }

  // ---- PeerOwner / DialTarget ---------------------------------------------------------------------------------

  pieceSize(): number {
    return 0;
  }

  peerReady(peer: PeerConnection): void {
    if (this.peers.size >= this.options.settings.maxConnectionsPerTorrent) {
      peer.close('too-many-connections', 'torrent connection limit');
      return;
    }
    this.peers.set(peer.key, peer);
    if (peer.outgoing) this.knownPeers.markConnected(peer.remoteAddress, peer.remotePort);
    if (!peer.extensionProtocol) {
      // Without BEP 10 a peer cannot give us the metadata; the torrent may still use it later.
      peer.close('not-useful', 'no extension protocol: cannot send metadata');
      return;
    }
    peer.batch(() => {
      // BEP 6: a Fast peer expects HAVE NONE (or a bitfield) first; we have no pieces and know no piece count.
      if (peer.fastExtension) peer.send({ type: 'have-none' });
      this.extensions.sendHandshake(peer, {
        client: CLIENT_NAME,
        reqq: this.options.settings.maxIncomingRequestsPerPeer,
        listenPort: this.options.listenPort(),
      });
    });
  }

  extendedMessage(peer: PeerConnection, extendedId: number, payload: Uint8Array): void {
    this.extensions.handle(peer, extendedId, payload);
    this.emit('progress', this.progress());
  }

  peerClosed(peer: PeerConnection, close: PeerClose): void {
    const wasConnected = this.peers.delete(peer.key);
    if (wasConnected) this.extensions.peerClosed(peer);
    if (close.reason === 'banned') this.knownPeers.ban(peer.remoteAddress, peer.remotePort);
    else if (peer.outgoing) {
      this.knownPeers.markDisconnected(
        peer.remoteAddress,
        peer.remotePort,
        this.options.platform.clock.now(),
        !wasConnected,
      );
    }
    if (this.running) this.connectToPeers();
  }

  dialFailed(host: string, port: number): void {
    this.knownPeers.markDisconnected(host, port, this.options.platform.clock.now(), true);
  }

  // Piece-level callbacks never fire before metadata (the peer connection drops those messages).
  peerHaveChanged(): void {}
  peerChoked(): void {}
  peerUnchoked(): void {}
  peerInterestChanged(): void {}
  blockReceived(_peer: PeerConnection, _piece: number, _begin: number, _block: BlockPayload): void {}
  requestRejected(_peer: PeerConnection, _range: BlockRange): void {}
  allowedFast(): void {}
  blockUploaded(): void {}
  canServe(): boolean {
    return false;
  }
  readBlock(): Promise<Uint8Array> {
    return Promise.reject(new BitloomError('TORRENT_NO_METADATA', 'no metadata yet'));
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private async metadataArrived(bytes: Uint8Array): Promise<void> {
    try {
      const info = await parseInfoDictionary(bytes, this.options.platform.hasher);
      if (!this.running) return;
      this.gotMetadata = true;
      this.emit('metadata', info);
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  private connectToPeers(): void {
    if (!this.running) return;
    const room = Math.min(
      this.options.settings.maxConnectionsPerTorrent - this.peers.size,
      this.options.dialer.dialBudget(),
    );
    for (const peer of this.knownPeers.candidates(this.options.platform.clock.now(), room)) {
      this.knownPeers.markConnecting(peer);
      this.options.dialer.dial(this, peer.host, peer.port);
    }
  }
}
