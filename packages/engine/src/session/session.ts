/**
 * The session: our peer id, the listen socket, the torrents, the connection limits (global, half-open), and the
 * one tick that drives every periodic task (libtorrent's on_tick). A coordinator: it routes incoming handshakes to
 * torrents and dials on their behalf, and holds no BitTorrent policy of its own.
 */

import { equalBytes, toHex } from '../bytes.js';
import { type MseError, mseCloseReason } from '../crypto/mse-error.js';
import { acceptMse } from '../crypto/mse-handshake.js';
import { Dht, type DhtLimits } from '../dht/index.js';
import { BitloomError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import type { MagnetLink } from '../magnet/index.js';
import type { InfoDictionary, Metainfo } from '../metainfo/index.js';
import type { PeerClose } from '../peer/close-reason.js';
import { PeerConnection } from '../peer/peer-connection.js';
import type { CancelTimer } from '../platform/clock.js';
import type { Connection, Listener } from '../platform/network.js';
import type { Platform } from '../platform/platform.js';
import { TokenBucket } from '../rate/index.js';
import type { ResumeStore } from '../resume/resume-store.js';
import { deleteTorrentData } from '../storage/delete-data.js';
import { MetadataFetch } from '../torrent/metadata-fetch.js';
import { type DialTarget, type PeerDialer, Torrent } from '../torrent/torrent.js';
import { makePeerId } from './peer-id.js';
import { resolveSettings, type Settings } from './settings.js';
import { type ReadTorrentFile, resolveTorrentSource, type TorrentSource } from './torrent-source.js';

export interface SessionOptions {
  readonly platform: Platform;
  readonly settings?: Partial<Settings>;
  /** Where to accept peers; `false` for a session that only dials out. Default 0.0.0.0, port 0 (any free). */
  readonly listen?: { readonly host: string; readonly port: number } | false;
  /** 20 bytes; generated when absent. */
  readonly peerId?: Uint8Array;
  /**
   * Run a Mainline DHT node (BEP 5) on UDP, bound to the listen address (same port as TCP unless `port` is
   * given), so torrents and magnet links find peers without trackers. Off unless given: a library user opts in,
   * and chooses the bootstrap nodes (tests use loopback nodes only).
   */
  readonly dht?: {
    readonly bootstrap: readonly { host: string; port: number }[];
    readonly port?: number;
    /** Nodes saved from an earlier run (`session.dht.exportNodes()`), asked first. */
    readonly savedNodes?: readonly { host: string; port: number; id?: Uint8Array }[];
    readonly limits?: Partial<DhtLimits>;
  };
  /**
   * Where each torrent's resume data is saved (what is verified, the metadata, the file selection), so a restart
   * skips the hash check of data it already verified. None: every start hash-checks what is on disk.
   */
  readonly resume?: ResumeStore;
  /** Lets `add()` take a path to a .torrent file (`@bitloom/node` reads it from disk). */
  readonly readTorrentFile?: ReadTorrentFile;
  /** Runs after `close()` has stopped everything (e.g. the platform releasing its workers). */
  readonly afterClose?: () => Promise<void>;
}

export interface AddTorrentOptions {
  /** The download directory; a torrent's files go below it. */
  readonly savePath: string;
  /** Peers to dial at once (host, port). */
  readonly peers?: readonly { host: string; port: number }[];
  /** BEP 12 tracker tiers; default: the torrent's own (`announce` / `announce-list`). */
  readonly trackers?: readonly (readonly string[])[];
  /** Download only these files (inclusive index ranges, as a magnet's `so=`, BEP 53); default all. */
  readonly selectOnly?: readonly { start: number; end: number }[];
  /**
   * Download pieces in order (streaming, previews); every piece is still verified. When neither this nor
   * `selectOnly` is given, the file selection and order saved in the resume data are restored.
   */
  readonly sequential?: boolean;
  /** Ignore saved resume data and hash-check every piece on disk. */
  readonly recheck?: boolean;
}

export type SessionEvents = {
  torrent: { infoHash: string };
  /** A connection closed before its handshake completed (unknown info-hash, timeout, ourselves, duplicate…). */
  'peer-refused': { address: string; reason: string; detail: string };
  error: Error;
};

export class Session extends TypedEmitter<SessionEvents> implements PeerDialer {
  readonly peerId: Uint8Array;
  readonly settings: Settings;
  readonly torrents = new Map<string, Torrent>();
  /** Magnet links still fetching their metadata (BEP 9), by info-hash. */
  readonly fetches = new Map<string, MetadataFetch>();

  private readonly platform: Platform;
  private listener: Listener | undefined;
  /** Global rate limits over every torrent (0 = unlimited). */
  private readonly globalLimits = { download: new TokenBucket(), upload: new TokenBucket() };
  /** The session's DHT node, when enabled. */
  dht: Dht | undefined;
  /** The DHT node's UDP port (0 without a DHT), told to peers (BEP 5 PORT). */
  private dhtPort = 0;
  private readonly connections = new Set<PeerConnection>();
  /** Incoming connections still in their MSE/PE handshake (or deciding it is plain BitTorrent). */
  private readonly encryptionHandshakes = new Map<AbortController, number>();
  private halfOpen = 0;
  private nextPeerKey = 1;
  private cancelTick: CancelTimer | undefined;
  private closed = false;
  private readonly afterClose: (() => Promise<void>) | undefined;
  private readonly resumeStore: ResumeStore | undefined;
  private readonly readTorrentFile: ReadTorrentFile | undefined;

  private constructor(options: SessionOptions) {
    super();
    this.afterClose = options.afterClose;
    this.resumeStore = options.resume;
    this.readTorrentFile = options.readTorrentFile;
    this.platform = options.platform;
    this.settings = resolveSettings(options.settings);
    this.peerId = options.peerId ?? makePeerId(options.platform.random);
  }

  static async create(options: SessionOptions): Promise<Session> {
    const session = new Session(options);
    const listen = options.listen ?? { host: '0.0.0.0', port: 0 };
    if (listen) {
      session.listener = await options.platform.tcp.listen(listen.host, listen.port, (c) =>
        session.accept(c),
      );
    }
    if (options.dht) {
      const host = listen ? listen.host : '0.0.0.0';
      const socket = await options.platform.udp.bind(host, options.dht.port ?? session.listenPort);
      session.dhtPort = socket.port;
      session.dht = new Dht({
        platform: options.platform,
        socket,
        bootstrap: options.dht.bootstrap,
        ...(options.dht.savedNodes && { savedNodes: options.dht.savedNodes }),
        ...(options.dht.limits && { limits: options.dht.limits }),
      });
      session.dht.start();
    }
    session.scheduleTick();
    return session;
  }

  /**
   * Open peer sockets: outgoing dials not connected yet, incoming connections still in their encryption or
   * BitTorrent handshake, and connected peers. Never above `maxConnectionsPerSession`.
   */
  get connectionCount(): number {
    return this.connections.size + this.encryptionHandshakes.size + this.halfOpen;
  }

  /** The port peers can reach us on (0 when not listening). */
  get listenPort(): number {
    return this.listener?.port ?? 0;
  }

  /** Adds a torrent and starts it (checking existing data first). Adding a torrent twice returns the first. */
  addTorrent(info: InfoDictionary, options: AddTorrentOptions): Torrent {
    if (this.closed) throw new BitloomError('SESSION_CLOSED', 'the session is closed');
    const existing = this.torrents.get(info.infoHashHex);
    if (existing) return existing;
    const torrent = new Torrent({
      info,
      savePath: options.savePath,
      platform: this.platform,
      settings: this.settings,
      dialer: this,
      isSelf: (host, port) => port === this.listenPort && isLocalAddress(host),
      listenPort: () => this.listenPort,
      peerId: this.peerId,
      ...(this.dht && { dht: this.dht }),
      globalLimits: this.globalLimits,
      trackers: options.trackers ?? ('announce' in info ? (info as Metainfo).announce : []),
      resume: {
        ...(this.resumeStore && { store: this.resumeStore }),
        recheck: options.recheck === true,
        // Saved file priorities and sequential mode apply only when the caller sets neither.
        restoreSettings: options.selectOnly === undefined && options.sequential === undefined,
      },
    });
    this.torrents.set(info.infoHashHex, torrent);
    if (options.selectOnly) torrent.selectFiles(options.selectOnly);
    if (options.sequential) torrent.setSequential(true);
    for (const peer of options.peers ?? []) torrent.addPeer(peer.host, peer.port, 'manual');
    void torrent.start();
    this.emit('torrent', { infoHash: info.infoHashHex });
    return torrent;
  }

  /**
   * Adds a magnet link (BEP 9): fetches the info dictionary from peers, then adds the torrent (the session's
   * `torrent` event, then `session.torrents.get(infoHash)`). The fetch's `metadata` event fires after that.
   */
  addMagnet(link: MagnetLink, options: AddTorrentOptions): MetadataFetch {
    if (this.closed) throw new BitloomError('SESSION_CLOSED', 'the session is closed');
    if (!link.infoHash) {
      throw new BitloomError(
        'SESSION_V2_MAGNET',
        'this magnet link has only a v2 (btmh) hash: v2 is not supported yet',
      );
    }
    const infoHashHex = toHex(link.infoHash);
    const existing = this.fetches.get(infoHashHex);
    if (existing) return existing;
    const trackers = [...link.trackers.map((url) => [url]), ...(options.trackers ?? [])];
    const fetch = new MetadataFetch({
      link,
      infoHash: link.infoHash,
      infoHashHex,
      platform: this.platform,
      settings: this.settings,
      dialer: this,
      peerId: this.peerId,
      listenPort: () => this.listenPort,
      isSelf: (host, port) => port === this.listenPort && isLocalAddress(host),
      trackers,
      ...(this.dht && { dht: this.dht }),
    });
    this.fetches.set(infoHashHex, fetch);
    for (const peer of options.peers ?? []) fetch.addPeer(peer.host, peer.port);
    fetch.on('metadata', (info) => {
      if (this.fetches.get(infoHashHex) !== fetch) return;
      this.fetches.delete(infoHashHex);
      void fetch.stop();
      const selectOnly = options.selectOnly ?? link.selectOnly;
      this.addTorrent(info, {
        savePath: options.savePath,
        peers: fetch.peerAddresses(),
        trackers,
        ...(selectOnly && { selectOnly }),
        ...(options.sequential !== undefined && { sequential: options.sequential }),
      });
    });
    fetch.start();
    return fetch;
  }

  /** Changes the session-wide rate limits at run time (bytes per second; 0 = unlimited). */
  setRateLimits(limits: { download?: number; upload?: number }): void {
    if (limits.download !== undefined) this.globalLimits.download.setRate(limits.download);
    if (limits.upload !== undefined) this.globalLimits.upload.setRate(limits.upload);
  }

  /**
   * Adds a torrent in one call from a .torrent file's bytes, a path to one (with `@bitloom/node`), a magnet URI, or
   * a parsed info dictionary or magnet link. Resolves with the torrent once added; for a magnet link, once its
   * metadata has arrived (`addMagnet` shows the fetch). Rejects on a bad torrent or a failed fetch.
   */
  async add(source: TorrentSource, options: AddTorrentOptions): Promise<Torrent> {
    const resolved = await resolveTorrentSource(source, this.platform.hasher, this.readTorrentFile);
    if ('info' in resolved) return this.addTorrent(resolved.info, options);
    const added = resolved.link.infoHash && this.torrents.get(toHex(resolved.link.infoHash));
    if (added) return added;
    const fetch = this.addMagnet(resolved.link, options);
    return new Promise((resolve, reject) => {
      const offAdded = this.on('torrent', ({ infoHash }) => {
        if (infoHash !== fetch.infoHashHex) return;
        offAdded();
        resolve(this.torrents.get(infoHash)!);
      });
      fetch.once('error', (error) => {
        offAdded();
        reject(error);
      });
      fetch.once('stopped', () => {
        offAdded();
        reject(
          new BitloomError(
            'SESSION_FETCH_STOPPED',
            'the magnet link was removed, or the session closed, before its metadata arrived',
          ),
        );
      });
    });
  }

  /**
   * Stops a torrent (or a magnet link still fetching) and forgets it. With `deleteData`, also deletes its files,
   * its part file and the folders below the save path they leave empty — nothing else.
   */
  async removeTorrent(infoHashHex: string, options: { deleteData?: boolean } = {}): Promise<void> {
    const fetch = this.fetches.get(infoHashHex);
    if (fetch) {
      this.fetches.delete(infoHashHex);
      await fetch.stop();
    }
    const torrent = this.torrents.get(infoHashHex);
    if (!torrent) return;
    this.torrents.delete(infoHashHex);
    await torrent.stop();
    // A removed torrent is forgotten: its resume data goes too.
    await this.resumeStore?.remove(infoHashHex).catch(() => {});
    if (options.deleteData) await deleteTorrentData(this.platform.storage, torrent.savePath, torrent.info);
  }

  /** Stops every torrent, closes every connection and the listener, and stops the tick. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTick?.();
    await Promise.all([...this.torrents.values()].map((t) => t.stop()));
    await Promise.all([...this.fetches.values()].map((f) => f.stop()));
    this.torrents.clear();
    this.fetches.clear();
    for (const handshake of [...this.encryptionHandshakes.keys()]) handshake.abort();
    for (const peer of [...this.connections]) peer.close('torrent-stopped', 'session closed');
    await this.listener?.close();
    await this.dht?.stop().catch(() => {});
    await this.afterClose?.();
  }

  // ---- PeerDialer -----------------------------------------------------------------------------------------

  dialBudget(): number {
    return Math.max(
      0,
      Math.min(
        this.settings.maxHalfOpenConnections - this.halfOpen,
        this.settings.maxConnectionsPerSession - this.connectionCount,
      ),
    );
  }

  dial(target: DialTarget, host: string, port: number): void {
    this.halfOpen++;
    const abort = new AbortController();
    const cancelTimeout = this.platform.clock.setTimer(this.settings.connectTimeoutMs, () => abort.abort());
    this.platform.tcp.connect(host, port, abort.signal).then(
      (connection) => {
        cancelTimeout();
        this.halfOpen--;
        if (this.closed || this.ownerOf(target.infoHashHex) !== target) {
          connection.destroy();
          return;
        }
        this.track(
          new PeerConnection({
            connection,
            clock: this.platform.clock,
            settings: this.settings,
            ourPeerId: this.peerId,
            ...(this.dhtPort > 0 && { dhtPort: this.dhtPort }),
            key: this.nextPeerKey++,
            owner: target,
            acceptPeerId: (peerId, peer) => this.checkPeerId(peerId, peer),
            onClosed: (peer, close) => this.onPeerClosed(peer, close, target),
          }),
        );
      },
      () => {
        cancelTimeout();
        this.halfOpen--;
        target.dialFailed(host, port);
      },
    );
  }

  /** The torrent, or the magnet link fetching its metadata, with this info-hash. */
  private ownerOf(infoHashHex: string): DialTarget | undefined {
    return this.torrents.get(infoHashHex) ?? this.fetches.get(infoHashHex);
  }

  // ---- incoming connections -------------------------------------------------------------------------------

  /**
   * An incoming connection opens either with a plain BitTorrent handshake or with MSE/PE (WebTorrent and
   * libtorrent peers that insist on encryption): `acceptMse` tells them apart by the first bytes, runs the
   * responder for the info-hashes we serve, and hands over a connection that continues the stream.
   */
  private accept(connection: Connection): void {
    if (this.closed) {
      connection.destroy();
      return;
    }
    if (this.connectionCount >= this.settings.maxConnectionsPerSession && !this.evictOldestHandshake()) {
      connection.destroy();
      this.emit('peer-refused', {
        address: `${connection.remoteAddress}:${connection.remotePort}`,
        reason: 'too-many-connections',
        detail: `session connection limit (${this.settings.maxConnectionsPerSession})`,
      });
      return;
    }
    const openedAt = this.platform.clock.now();
    const abort = new AbortController();
    this.encryptionHandshakes.set(abort, openedAt);
    acceptMse(connection, {
      clock: this.platform.clock,
      random: this.platform.random,
      timeoutMs: this.settings.handshakeTimeoutMs,
      signal: abort.signal,
      skeys: () => [...this.torrents.values(), ...this.fetches.values()].map((owner) => owner.infoHash),
    }).then(
      ({ connection: stream, skey }) => {
        // Not there any more: evicted between the handshake's end and now.
        if (!this.encryptionHandshakes.delete(abort) || this.closed) {
          stream.destroy();
          return;
        }
        this.track(
          new PeerConnection({
            connection: stream,
            clock: this.platform.clock,
            settings: this.settings,
            ourPeerId: this.peerId,
            ...(this.dhtPort > 0 && { dhtPort: this.dhtPort }),
            key: this.nextPeerKey++,
            openedAt,
            // After MSE the BitTorrent handshake must name the torrent the encrypted one asked for (SKEY).
            lookupOwner: (infoHash) =>
              skey === undefined || equalBytes(skey, infoHash) ? this.ownerOf(toHex(infoHash)) : undefined,
            acceptPeerId: (peerId, peer) => this.checkPeerId(peerId, peer),
            onClosed: (peer, close) => this.onPeerClosed(peer, close, undefined),
          }),
        );
      },
      (error: MseError) => {
        const evicted = !this.encryptionHandshakes.delete(abort);
        if (this.closed) return;
        this.emit('peer-refused', {
          address: `${connection.remoteAddress}:${connection.remotePort}`,
          ...(evicted
            ? { reason: 'too-many-connections', detail: EVICTED }
            : { reason: mseCloseReason(error.code), detail: `${error.code}: ${error.message}` }),
        });
      },
    );
  }

  /**
   * A full session makes room for a new incoming connection by dropping the one longest in its handshake: a flood
   * of slow handshakes (slowloris) then cycles through the slots instead of holding them for the whole handshake
   * timeout, and a real peer, whose handshake takes a round trip, still gets in. Connected peers and our own dials
   * are never dropped. False when there is nothing to drop.
   */
  private evictOldestHandshake(): boolean {
    let oldestAt = Number.POSITIVE_INFINITY;
    let oldestMse: AbortController | undefined;
    let oldestPeer: PeerConnection | undefined;
    // Map order is insertion order: the first entry is the oldest.
    for (const [abort, openedAt] of this.encryptionHandshakes) {
      [oldestAt, oldestMse] = [openedAt, abort];
      break;
    }
    for (const peer of this.connections) {
      if (!peer.outgoing && !peer.isActive && peer.connectedAt < oldestAt) {
        [oldestAt, oldestPeer, oldestMse] = [peer.connectedAt, peer, undefined];
      }
    }
    if (oldestPeer) {
      oldestPeer.close('too-many-connections', EVICTED);
      return true;
    }
    if (!oldestMse) return false;
    // Removed first, so the count drops now and the rejection it causes reports an eviction.
    this.encryptionHandshakes.delete(oldestMse);
    oldestMse.abort();
    return true;
  }

  private track(peer: PeerConnection): void {
    if (!peer.isClosed) this.connections.add(peer);
  }

  private onPeerClosed(peer: PeerConnection, close: PeerClose, dialledFor: DialTarget | undefined): void {
    this.connections.delete(peer);
    if (!peer.peerHas)
      this.emit('peer-refused', { address: peer.address, reason: close.reason, detail: close.detail });
    // A dialled connection that died before its handshake never reached the torrent: tell it the dial failed.
    if (dialledFor && !peer.peerHas) dialledFor.dialFailed(peer.remoteAddress, peer.remotePort);
  }

  /** Refuses a second connection to the same peer id on the same torrent. */
  private checkPeerId(peerId: Uint8Array, peer: PeerConnection): 'duplicate-connection' | undefined {
    for (const other of this.connections) {
      if (other !== peer && other.owner === peer.owner && other.peerId && equalBytes(other.peerId, peerId)) {
        return 'duplicate-connection';
      }
    }
    return undefined;
  }

  // ---- the tick ---------------------------------------------------------------------------------------------

  private scheduleTick(): void {
    this.cancelTick = this.platform.clock.setTimer(this.settings.tickIntervalMs, () => {
      if (this.closed) return;
      this.tick();
      this.scheduleTick();
    });
  }

  private tick(): void {
    const now = this.platform.clock.now();
    // Connections still handshaking belong to no torrent yet: the session times them out.
    for (const peer of this.connections) if (!peer.isActive) peer.tick(now);
    this.dht?.tick(now);
    for (const fetch of this.fetches.values()) fetch.tick(now);
    for (const torrent of this.torrents.values()) {
      try {
        torrent.tick(now);
      } catch (error) {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}

const EVICTED = 'evicted: the oldest pending handshake of a full session';

function isLocalAddress(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host === '0.0.0.0';
}
