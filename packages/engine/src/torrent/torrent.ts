/**
 * One torrent: wires the picker, the peers, piece assembly, verification and storage together (a coordinator:
 * the policies live in pieces/, choking/, requests/). A block travels: peer → `blockReceived` → copied once into
 * its piece buffer → piece complete → SHA-1 off the main thread → positional writes → only then "have" and HAVE.
 */

import { equalBytes } from '../bytes.js';
import { BitloomError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import { ALLOWED_FAST_MIN_PIECES, allowedFastSet } from '../extensions/allowed-fast.js';
import { ExtensionRegistry, type HandshakeIdentity } from '../extensions/extension-registry.js';
import { pexPeersOf, type UtPex } from '../extensions/ut-pex.js';
import { BLOCK_SIZE } from '../indices.js';
import type { InfoDictionary } from '../metainfo/index.js';
import type { PeerClose } from '../peer/close-reason.js';
import type { BlockRange, PeerConnection } from '../peer/peer-connection.js';
import { PiecePicker } from '../pieces/index.js';
import type { Platform } from '../platform/platform.js';
import { LimitChain, RateMeter, TokenBucket } from '../rate/index.js';
import type { Settings } from '../session/settings.js';
import { FileLayout } from '../storage/file-layout.js';
import { PieceStorage } from '../storage/piece-storage.js';
import { ReadCache } from '../storage/read-cache.js';
import type { DhtPeerSource } from '../swarm/dht-peer-finder.js';
import { PeerList, type PeerSource } from '../swarm/peer-list.js';
import type { TrackerStatus } from '../tracker/index.js';
import type { BlockPayload } from '../wire/index.js';
import { filePriority, piecePriorities, selectionPriorities } from './file-priorities.js';
import { FileStreams } from './file-streams.js';
import { PeerChoking } from './peer-choking.js';
import type { DialTarget, PeerDialer } from './peer-dialer.js';
import { PeerDiscovery } from './peer-discovery.js';
import { type PeerInfo, peerInfoOf } from './peer-info.js';
import { PieceAssembly, pieceBudget } from './piece-assembly.js';
import { fillRequests, isSending, sendingPeerCount } from './request-filler.js';
import { type ResumeOptions, ResumeState } from './resume-state.js';
import { SmartBan } from './smart-ban.js';
import { registerTorrentExtensions } from './torrent-extensions.js';
import { TorrentFileHandle } from './torrent-file.js';
import type { TorrentEvents, TorrentState, TorrentStatus } from './torrent-status.js';

export type { DialTarget, PeerDialer } from './peer-dialer.js';

/** How we introduce ourselves in the BEP 10 handshake. */
export const CLIENT_NAME = 'bitloom 0.1.0';

export interface TorrentOptions {
  readonly info: InfoDictionary;
  readonly savePath: string;
  readonly platform: Platform;
  readonly settings: Settings;
  readonly dialer: PeerDialer;
  /** Our own listen address, so it is never dialled. */
  readonly isSelf: (host: string, port: number) => boolean;
  /** Our listen port, advertised in the extended handshake (0: not listening). */
  readonly listenPort: () => number;
  readonly peerId: Uint8Array;
  /** BEP 12 tiers of tracker URLs; none for a torrent found only through --peer. */
  readonly trackers?: readonly (readonly string[])[];
  /** The session's DHT, when it runs one (never used for private torrents). */
  readonly dht?: DhtPeerSource;
  /** The session's global rate limits, shared by every torrent. */
  readonly globalLimits?: { readonly download: TokenBucket; readonly upload: TokenBucket };
  /** Resume data: where it is kept, whether to ignore it, whether its file selection may be applied. */
  readonly resume?: ResumeOptions;
}

/** Below this many connections a downloading torrent asks its trackers for peers sooner. */
const WANTED_CONNECTIONS = 30;

export class Torrent extends TypedEmitter<TorrentEvents> implements DialTarget {
  readonly info: InfoDictionary;
  readonly infoHash: Uint8Array;
  readonly savePath: string;
  readonly picker: PiecePicker;
  readonly knownPeers: PeerList;
  readonly peers = new Map<number, PeerConnection>();
  state: TorrentState = 'stopped';
  readonly hasMetadata = true;
  error: BitloomError | undefined;

  private readonly platform: Platform;
  private readonly settings: Settings;
  private readonly dialer: PeerDialer;
  private readonly isSelf: TorrentOptions['isSelf'];
  private readonly listenPort: () => number;
  private readonly layout: FileLayout;
  private readonly assembly: PieceAssembly;
  private storage: PieceStorage | undefined;
  private readonly discovery: PeerDiscovery;
  private readonly extensions = new ExtensionRegistry();
  private readonly pex: UtPex | undefined;
  /** This torrent's own rate limits (0 = none); the session's global ones apply too. */
  readonly downloadLimit = new TokenBucket();
  readonly uploadLimit = new TokenBucket();
  private readonly downloadAllowance: LimitChain;
  private readonly uploadAllowance: LimitChain;
  private readCache: ReadCache | undefined;
  /** Per file, 0 = skip (as last set); missing entries count as 1. */
  private filePriorities: readonly number[] = [];
  private readonly choking: PeerChoking;
  private lastInterestCheckAt = 0;
  private readonly downloadRate = new RateMeter();
  private readonly uploadRate = new RateMeter();
  private downloadedBytes = 0;
  private uploadedBytes = 0;
  private wastedBytes = 0;
  private verifiedBytes = 0;
  private hashFailures = 0;
  private checkedPieces = 0;
  /** The flush and resume save that follow `done`; `stop` waits for them. */
  private completionSave: Promise<void> | undefined;
  private readonly smartBan: SmartBan;
  /** Peers counted through HAVE ALL (no per-piece availability). */
  private readonly countedAsSeed = new Set<number>();
  private readonly abort = new AbortController();
  private pauseRequested = false;
  private fileHandles: readonly TorrentFileHandle[] | undefined;
  private readonly streams: FileStreams;
  private readonly resumeState: ResumeState;

  constructor(options: TorrentOptions) {
    super();
    this.info = options.info;
    this.infoHash = options.info.infoHash;
    this.savePath = options.savePath;
    this.platform = options.platform;
    this.settings = options.settings;
    this.dialer = options.dialer;
    this.isSelf = options.isSelf;
    this.listenPort = options.listenPort;
    this.layout = new FileLayout(options.info.files, options.info.pieceLength);
    this.assembly = new PieceAssembly(options.settings.maxPieceBufferBytes, options.info.pieceLength);
    this.smartBan = new SmartBan(options.platform.hasher);
    this.choking = new PeerChoking(this.peers, options.settings, options.platform.random);
    this.knownPeers = new PeerList(options.settings.maxKnownPeersPerTorrent);
    const global = options.globalLimits;
    this.downloadAllowance = new LimitChain(
      global ? [this.downloadLimit, global.download] : [this.downloadLimit],
    );
    this.uploadAllowance = new LimitChain(global ? [this.uploadLimit, global.upload] : [this.uploadLimit]);
    this.pex = registerTorrentExtensions({
      registry: this.extensions,
      info: options.info,
      hasher: options.platform.hasher,
      now: () => options.platform.clock.now(),
      connectedPeers: () => pexPeersOf(this.peers.values()),
      onPexPeers: (peers) => {
        for (const peer of peers) this.addPeer(peer.host, peer.port, 'pex');
      },
    });
    this.discovery = new PeerDiscovery({
      infoHash: options.info.infoHash,
      private: options.info.private,
      peerId: options.peerId,
      platform: options.platform,
      listenPort: options.listenPort,
      trackers: options.trackers ?? [],
      dht: options.dht,
      stats: () => ({
        uploaded: this.uploadedBytes,
        downloaded: this.downloadedBytes,
        left: Math.max(0, this.info.totalLength - this.verifiedBytes),
      }),
      addPeer: (host, port, source) => this.addPeer(host, port, source),
    });
    this.resumeState = new ResumeState({
      ...options.resume,
      info: options.info,
      savePath: options.savePath,
      layout: this.layout,
      platform: options.platform,
      saveIntervalMs: options.settings.resumeSaveIntervalMs,
      onSaveFailed: (reason) => this.emit('resume-save-failed', { reason }),
    });
    this.picker = new PiecePicker({
      pieceCount: options.info.pieceCount,
      pieceLength: options.info.pieceLength,
      totalLength: options.info.totalLength,
      random: options.platform.random,
    });
    this.streams = new FileStreams(this, options.settings, options.platform.clock, () => this.fillOthers());
  }

  get pieceCount(): number {
    return this.info.pieceCount;
  }

  get infoHashHex(): string {
    return this.info.infoHashHex;
  }

  pieceSize(piece: number): number {
    return this.layout.pieceSize(piece);
  }

  get complete(): boolean {
    return this.picker.isComplete();
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  /** Opens storage, adopts the data already on disk that verifies, then starts downloading or seeding. */
  async start(): Promise<void> {
    try {
      // The saved file selection first: it decides which files the storage leaves uncreated.
      await this.resumeState.load();
      const saved = this.resumeState.settingsToRestore();
      if (saved?.filePriorities) this.setFilePriorities(saved.filePriorities);
      if (saved?.sequential) this.setSequential(true);
      const verify = async (piece: number, data: Uint8Array) =>
        equalBytes(await this.platform.hasher.sha1(data), this.expectedHash(piece));
      const storage = await PieceStorage.open(this.platform.storage, this.savePath, this.info, this.layout, {
        verify,
      });
      this.storage = storage;
      // The first pieces will need the hasher (a check tells it once it finds data to hash).
      if (!storage.hashesWrites) this.platform.hasher.prepare?.();
      await storage.applyPriorities(this.filePriorities);
      this.readCache = new ReadCache(
        storage,
        verify,
        this.settings.readCacheBytes,
        this.settings.readTrustMs,
        () => this.platform.clock.now(),
      );
      this.setState('checking');
      const outcome = await this.resumeState.restore({
        storage,
        expectedHash: (piece) => this.expectedHash(piece),
        adopt: (piece) => {
          this.picker.pieceVerified(piece);
          this.verifiedBytes += this.pieceSize(piece);
        },
        onProgress: (checked) => {
          this.checkedPieces = checked;
        },
        signal: this.abort.signal,
      });
      if (this.abort.signal.aborted) return;
      this.checkedPieces = this.pieceCount;
      this.emit('resume', outcome);
      // The metadata and what the check found go on record now, before any download: a save a tick later
      // first flushed whatever had been written by then (a 150 MB fsync half a second into a fast download).
      void this.saveResume();
      if (this.pauseRequested) this.setState('paused');
      else this.goLive();
      if (this.complete) this.emit('done', this.status());
    } catch (error) {
      this.fail(error, 'cannot open the torrent data');
    }
  }

  /**
   * Disconnects every peer, tells the trackers `stopped`, and neither dials, accepts nor announces until `resume()`;
   * pieces being assembled are kept and the files stay open. Called while checking, it pauses once the check ends.
   */
  async pause(): Promise<void> {
    this.pauseRequested = true;
    if (!this.isRunning) return;
    this.setState('paused');
    for (const peer of [...this.peers.values()]) peer.close('torrent-stopped', 'torrent paused');
    await this.discovery.stop();
    await this.storage?.flush().catch(() => {});
    await this.saveResume();
  }

  /** Undoes `pause()`: announces `started` again and reconnects to the peers it knows. */
  resume(): void {
    this.pauseRequested = false;
    if (this.state === 'paused') this.goLive();
  }

  private goLive(): void {
    if (!this.complete) this.storage?.prepareWrites();
    this.setState(this.complete ? 'seeding' : 'downloading');
    this.discovery.start(!this.complete);
    this.connectToPeers();
  }

  /** Disconnects every peer and closes the files. */
  async stop(): Promise<void> {
    const wasRunning = this.isRunning;
    this.abort.abort();
    for (const peer of [...this.peers.values()]) peer.close('torrent-stopped', 'torrent stopped');
    this.assembly.clear();
    this.setState('stopped');
    if (wasRunning) await this.discovery.stop();
    await this.completionSave; // never rejects: a failed flush has failed the torrent
    await this.saveResume();
    if (this.storage) {
      await this.storage.flush().catch(() => {});
      await this.storage.close().catch(() => {});
    }
  }

  addPeer(host: string, port: number, source: PeerSource = 'manual'): boolean {
    if (this.isSelf(host, port)) return false;
    const added = this.knownPeers.add(host, port, source);
    if (added && this.isRunning) this.connectToPeers();
    return added;
  }

  /** Called by the session for a connection it dialled on our behalf that failed before the handshake. */
  dialFailed(host: string, port: number): void {
    this.knownPeers.markDisconnected(host, port, this.platform.clock.now(), true);
  }

  get connectionCount(): number {
    return this.peers.size;
  }

  // ---- the tick -----------------------------------------------------------------------------------------

  tick(now: number): void {
    if (!this.isRunning) return;
    for (const peer of [...this.peers.values()]) {
      peer.tick(now);
      if (peer.isActive && peer.requestTimedOut(now)) this.snub(peer);
    }
    this.choking.tick(now, this.complete);
    if (now - this.lastInterestCheckAt >= 5_000) {
      this.lastInterestCheckAt = now;
      for (const peer of this.peers.values()) this.updateInterest(peer);
    }
    let sharers = sendingPeerCount(this.peers.values()); // the ones not filled yet share the download limit
    this.assembly.budget = pieceBudget(this.settings.maxPieceBufferBytes, sharers);
    for (const peer of this.peers.values()) {
      this.fillRequests(peer, isSending(peer) ? sharers-- : Math.max(1, sharers));
      peer.serveQueued();
    }
    this.connectToPeers();
    this.pex?.tick(now);
    this.streams.tick();
    this.discovery.tick(now, !this.complete && this.peers.size < WANTED_CONNECTIONS);
    if (this.resumeState.due(now)) void this.saveResume();
  }

  /** Records what is verified (after flushing it); a failure is reported and the previous record stays. */
  private async saveResume(): Promise<void> {
    if (this.storage) await this.resumeState.save(this.storage, this.picker, this.platform.clock.now());
  }

  /**
   * Sets each file's priority (0 = skip, 1–7); a piece gets the highest priority of the files it holds bytes of.
   * A skipped file is not created: its bytes of pieces shared with a wanted file go to the part file.
   */
  setFilePriorities(priorities: readonly number[]): void {
    this.filePriorities = priorities.slice(0, this.info.files.length);
    const pieces = piecePriorities(this.info.files, this.layout, priorities);
    for (let piece = 0; piece < this.pieceCount; piece++) this.picker.setPiecePriority(piece, pieces[piece]!);
    this.resumeState.noteFilePriorities(this.filePriorities);
    for (const peer of this.peers.values()) this.updateInterest(peer);
    if (this.state === 'seeding' && !this.complete) this.setState('downloading');
    // Skipping the files still missing completes the download as the last piece would.
    else if (this.state === 'downloading' && this.complete) this.downloadCompleted();
    this.storage?.applyPriorities(priorities).catch((e: unknown) => this.fail(e, 'cannot apply priorities'));
  }

  /** Picks pieces in order instead of rarest first (every piece is still verified). */
  setSequential(on: boolean): void {
    this.picker.setSequential(on);
    this.resumeState.noteSequential(on);
  }

  /** Downloads only the files in these inclusive index ranges (a magnet's `so=`); indices past the end are ignored. */
  selectFiles(ranges: readonly { start: number; end: number }[]): void {
    this.setFilePriorities(selectionPriorities(this.info.files.length, ranges));
  }

  /** The files in info-dictionary order (padding files too, flagged): live handles; `status()` is plain data. */
  files(): readonly TorrentFileHandle[] {
    if (this.fileHandles === undefined) {
      const source = {
        pieceLength: this.info.pieceLength,
        have: (piece: number) => this.picker.have(piece),
        filePriority: (index: number) => filePriority(this.filePriorities, index),
        openStream: this.streams.open,
      };
      this.fileHandles = this.info.files.map((file) => new TorrentFileHandle(source, file));
    }
    return this.fileHandles;
  }

  /** The connected peers (plain data). */
  peerInfo(): PeerInfo[] {
    const now = this.platform.clock.now();
    return [...this.peers.values()].map((peer) => peerInfoOf(peer, this.pieceCount, now));
  }

  /** The trackers and what they last said (plain data). */
  trackers(): TrackerStatus[] {
    return this.discovery.trackers();
  }

  status(): TorrentStatus {
    const now = this.platform.clock.now();
    const total = this.info.totalLength;
    const wanted = this.picker.wantedBytes();
    return {
      infoHash: this.info.infoHashHex,
      name: this.info.name,
      state: this.state,
      error: this.error?.message,
      totalBytes: total,
      verifiedBytes: Math.min(total, this.verifiedBytes),
      wantedBytes: wanted.wanted,
      wantedVerifiedBytes: wanted.had,
      progress: wanted.wanted === 0 ? 1 : wanted.had / wanted.wanted,
      piecesHad: this.picker.haveCount,
      pieceCount: this.pieceCount,
      checkedPieces: this.checkedPieces,
      downloadedBytes: this.downloadedBytes,
      uploadedBytes: this.uploadedBytes,
      wastedBytes: this.wastedBytes,
      hashFailures: this.hashFailures,
      downloadRate: this.downloadRate.rate(now),
      uploadRate: this.uploadRate.rate(now),
      peersConnected: this.peers.size,
      peersKnown: this.knownPeers.size,
    };
  }

  // ---- PeerOwner: what peers tell us ----------------------------------------------------------------------

  peerReady(peer: PeerConnection): void {
    if (this.state === 'paused') {
      peer.close('torrent-stopped', 'torrent paused');
      return;
    }
    if (this.peers.size >= this.settings.maxConnectionsPerTorrent) {
      peer.close('too-many-connections', 'torrent connection limit');
      return;
    }
    if (this.knownPeers.isBanned(peer.remoteAddress, peer.remotePort)) {
      peer.close('banned', 'banned earlier');
      return;
    }
    this.peers.set(peer.key, peer);
    if (peer.outgoing) this.knownPeers.markConnected(peer.remoteAddress, peer.remotePort);
    peer.batch(() => {
      // The bitfield (or HAVE ALL / HAVE NONE) must be the first message after the handshake (BEP 3, BEP 6).
      const have = this.picker.haveBitfield;
      if (peer.fastExtension && have.hasAll()) peer.send({ type: 'have-all' });
      else if (peer.fastExtension && have.hasNone()) peer.send({ type: 'have-none' });
      else if (!have.hasNone()) peer.send({ type: 'bitfield', bytes: have.toBytes() });
      this.extensions.sendHandshake(peer, this.handshakeIdentity());
      peer.sendDhtPort();
    });
    if (peer.fastExtension) void this.offerAllowedFast(peer);
    this.emit('peer-connected', { address: peer.address });
  }

  /** BEP 6: the canonical allowed-fast pieces we have, sent to a Fast peer so it can start while choked. */
  private async offerAllowedFast(peer: PeerConnection): Promise<void> {
    if (this.pieceCount < ALLOWED_FAST_MIN_PIECES) return;
    const { hasher } = this.platform;
    const set = await allowedFastSet(hasher, peer.remoteAddress, this.infoHash, this.pieceCount);
    for (const piece of set) if (this.picker.have(piece)) peer.allowFast(piece);
  }

  peerHaveChanged(peer: PeerConnection, change: 'bitfield' | 'have-all' | number): void {
    if (change === 'have-all') {
      this.picker.addSeed();
      this.countedAsSeed.add(peer.key);
    } else if (change === 'bitfield') {
      this.picker.addPeerBitfield(peer.peerHas!);
    } else {
      // A HAVE that completes a peer keeps it counted per piece: availability stays exact.
      this.picker.addPeerHave(change);
      if (!peer.amInterested && this.picker.wants(change)) peer.setInterested(true);
      this.fillRequests(peer);
      return;
    }
    this.updateInterest(peer);
    if (this.complete && peer.peerIsSeed) {
      peer.close('not-useful', 'both sides are seeds');
      return;
    }
    this.fillRequests(peer);
  }

  peerChoked(peer: PeerConnection): void {
    // BEP 6: with Fast, requests stay pending until the peer rejects or serves them; without it they are gone.
    if (peer.fastExtension) return;
    this.abortRequests(peer);
  }

  peerUnchoked(peer: PeerConnection): void {
    this.fillRequests(peer);
  }

  peerInterestChanged(peer: PeerConnection): void {
    this.choking.interestChanged(peer, this.platform.clock.now(), this.complete);
  }

  blockReceived(peer: PeerConnection, piece: number, begin: number, payload: BlockPayload): void {
    const block = begin / BLOCK_SIZE;
    const request = Number.isInteger(block) ? peer.outstanding.get(piece, block) : undefined;
    if (!request || request.length !== payload.length) {
      // Unrequested, cancelled earlier, or at an offset we never asked for: counted, never stored.
      this.wastedBytes += payload.length;
      return;
    }
    peer.outstanding.delete(piece, block);
    peer.snubbed = false;
    this.downloadedBytes += payload.length;
    this.downloadRate.add(payload.length, this.platform.clock.now());
    const result = this.picker.blockReceived(piece, block, peer.key);
    if (!result.accepted) {
      this.wastedBytes += payload.length;
      this.fillRequests(peer);
      return;
    }
    const entry = this.assembly.acquire(piece, this.pieceSize(piece));
    payload.copyTo(entry.data, begin);
    entry.senders[block] = peer.address;
    for (const otherKey of result.otherRequesters) {
      const other = this.peers.get(otherKey);
      if (other?.outstanding.delete(piece, block)) {
        other.send({ type: 'cancel', piece, begin, length: payload.length });
      }
    }
    if (result.pieceComplete) void this.verifyPiece(piece);
    this.fillRequests(peer);
  }

  requestRejected(peer: PeerConnection, range: BlockRange): void {
    const block = range.begin / BLOCK_SIZE;
    if (!Number.isInteger(block) || !peer.outstanding.delete(range.piece, block)) return;
    this.picker.requestAborted(range.piece, block, peer.key);
    this.fillOthers(peer);
  }

  allowedFast(peer: PeerConnection, _piece: number): void {
    this.fillRequests(peer);
  }

  extendedMessage(peer: PeerConnection, extendedId: number, payload: Uint8Array): void {
    this.extensions.handle(peer, extendedId, payload);
  }

  /** BEP 5 PORT: the peer runs a DHT node there. */
  peerDhtPort(peer: PeerConnection, port: number): void {
    this.discovery.addDhtNode(peer.remoteAddress, port);
  }

  private handshakeIdentity(): HandshakeIdentity {
    return {
      client: CLIENT_NAME,
      reqq: this.settings.maxIncomingRequestsPerPeer,
      listenPort: this.listenPort(),
    };
  }

  canServe(piece: number): boolean {
    return this.picker.have(piece) && this.storage !== undefined;
  }

  readBlock(range: BlockRange): Promise<Uint8Array> {
    return this.readCache!.read(range.piece, range.begin, range.length).catch((error: unknown) => {
      this.pieceLost(range.piece, error);
      throw error;
    });
  }

  /**
   * A piece we had cannot be read any more (its file was deleted or truncated under us): it is no longer had, the
   * loss is reported, and it is downloaded again rather than served from bad data.
   */
  private pieceLost(piece: number, error: unknown): void {
    if (!this.picker.have(piece)) return;
    this.picker.pieceFailed(piece);
    this.verifiedBytes -= this.pieceSize(piece);
    this.readCache?.clear();
    const reason = error instanceof BitloomError ? `${error.code}: ${error.message}` : String(error);
    this.emit('piece-lost', { piece, reason });
    if (this.state === 'seeding') this.setState('downloading');
    for (const peer of this.peers.values()) this.updateInterest(peer);
  }

  mayUpload(bytes: number): boolean {
    const now = this.platform.clock.now();
    if (this.uploadAllowance.available(now) < bytes) return false;
    this.uploadAllowance.take(bytes, now);
    return true;
  }

  /** Changes this torrent's rate limits at run time (bytes per second; 0 = unlimited). */
  setRateLimits(limits: { download?: number; upload?: number }): void {
    if (limits.download !== undefined) this.downloadLimit.setRate(limits.download);
    if (limits.upload !== undefined) this.uploadLimit.setRate(limits.upload);
  }

  blockUploaded(_peer: PeerConnection, bytes: number): void {
    this.uploadedBytes += bytes;
    this.uploadRate.add(bytes, this.platform.clock.now());
  }

  peerClosed(peer: PeerConnection, close: PeerClose): void {
    const wasConnected = this.peers.delete(peer.key);
    if (wasConnected) {
      this.extensions.peerClosed(peer);
      if (this.countedAsSeed.delete(peer.key)) this.picker.removeSeed();
      else if (peer.peerHas) this.picker.removePeerBitfield(peer.peerHas);
      this.abortRequests(peer);
      this.choking.peerGone(peer, this.platform.clock.now(), this.complete, this.isRunning);
    }
    if (peer.peerIsSeed) this.knownPeers.markSeed(peer.remoteAddress, peer.remotePort);
    if (close.reason === 'banned') this.knownPeers.ban(peer.remoteAddress, peer.remotePort);
    else if (peer.outgoing) {
      const failed = !wasConnected || close.reason === 'protocol-error' || close.reason === 'bad-handshake';
      this.knownPeers.markDisconnected(
        peer.remoteAddress,
        peer.remotePort,
        this.platform.clock.now(),
        failed,
      );
    }
    this.emit('peer-closed', { address: peer.address, reason: close.reason, detail: close.detail });
    if (this.isRunning) this.connectToPeers();
  }

  // ---- requests -----------------------------------------------------------------------------------------

  /** Stopped or failed: nothing more is written (a paused torrent still finishes the pieces it was hashing). */
  private get isHalted(): boolean {
    return this.state === 'stopped' || this.state === 'error';
  }

  private get isRunning(): boolean {
    return this.state === 'downloading' || this.state === 'seeding';
  }

  /** Tops up a peer's pipeline (request-filler.ts); only while downloading. */
  private fillRequests(peer: PeerConnection, limitSharers = 0): void {
    if (this.state !== 'downloading') return;
    fillRequests(peer, {
      settings: this.settings,
      picker: this.picker,
      allowance: this.downloadAllowance,
      overBudget: this.assembly.overBudget,
      limitSharers,
      now: this.platform.clock.now(),
    });
  }

  private fillOthers(except?: PeerConnection): void {
    for (const other of this.peers.values()) if (other !== except) this.fillRequests(other);
  }

  private abortRequests(peer: PeerConnection): void {
    const dropped = peer.outstanding.drain();
    for (const r of dropped) this.picker.requestAborted(r.piece, r.block, peer.key);
    if (dropped.length > 0) this.fillOthers(peer);
  }

  /** A peer that delivers nothing for the request timeout gets one request at a time; its blocks go elsewhere. */
  private snub(peer: PeerConnection): void {
    peer.snubbed = true;
    this.abortRequests(peer);
    peer.lastBlockAt = this.platform.clock.now();
  }

  // ---- verification -------------------------------------------------------------------------------------

  private async verifyPiece(piece: number): Promise<void> {
    const entry = this.assembly.take(piece);
    if (!entry) return;
    try {
      const { hasher } = this.platform;
      const expected = this.expectedHash(piece);
      const proceed = () => !this.isHalted; // stopped or failed meanwhile: nothing more is written
      const checked = await this.storage!.verifyAndWrite(piece, entry.data, expected, hasher, proceed);
      entry.data = checked.data;
      if (this.isHalted) return;
      if (!checked.valid) {
        await this.pieceFailed(piece, entry.data, entry.senders);
        return;
      }
      if (!checked.stored) {
        this.picker.pieceFailed(piece); // its file was unselected meanwhile: not kept
        return;
      }
      this.pieceVerified(piece);
      for (const liar of await this.smartBan.liarsOf(piece, entry.data)) {
        this.ban(liar, `sent corrupt data for piece ${piece}`);
      }
    } catch (error) {
      this.picker.pieceFailed(piece);
      this.fail(error, `cannot write piece ${piece}`);
    } finally {
      const wasOverBudget = this.assembly.overBudget;
      this.assembly.release(entry);
      if (this.complete) this.assembly.dropPool(); // nothing left to assemble: free buffers are let go
      // Requests paused at the budget resume now, not at the next block or tick (stalls of 300 ms were seen).
      if (wasOverBudget && !this.assembly.overBudget && !this.isHalted) this.fillOthers();
    }
  }

  private pieceVerified(piece: number): void {
    this.picker.pieceVerified(piece);
    this.readCache?.markVerified(piece);
    this.verifiedBytes += this.pieceSize(piece);
    for (const peer of this.peers.values()) {
      if (!peer.peerHas?.get(piece)) peer.send({ type: 'have', piece });
    }
    this.emit('piece', { piece });
    this.resumeState.markDirty();
    if (this.complete) this.downloadCompleted();
  }

  /** Every wanted piece is verified and written: seed, tell the trackers, report `done`, then make it durable. */
  private downloadCompleted(): void {
    if (this.state !== 'paused') this.setState('seeding');
    // `completed` means a seed to trackers (BEP 3: left = 0); a finished selection of files is not one.
    if (this.picker.haveCount === this.pieceCount) this.discovery.completed();
    for (const peer of [...this.peers.values()]) {
      if (peer.peerIsSeed) peer.close('not-useful', 'both sides are seeds');
      else peer.setInterested(false);
    }
    // `done` as soon as every wanted piece is verified and written (readable by anyone); making it durable follows
    // at once: the files are flushed (fsync), then the resume record is saved, and stopping waits for both. `done`
    // used to wait for the flush: 0.4-0.5 s of a 1 GiB download here (libtorrent and aria2 report completion
    // without one).
    this.emit('done', this.status());
    this.completionSave = this.storage!.flush().then(
      () => this.saveResume(),
      (error: unknown) => this.fail(error, 'cannot flush the downloaded data'),
    );
  }

  /**
   * A piece failed its hash: it is downloaded again. A peer that sent every block of it is banned at once; when
   * several peers sent blocks, smart ban finds the liar once the piece passes.
   */
  private async pieceFailed(
    piece: number,
    data: Uint8Array,
    senders: readonly (string | undefined)[],
  ): Promise<void> {
    this.hashFailures++;
    this.picker.pieceFailed(piece);
    const distinct = new Set(senders.filter((s): s is string => s !== undefined));
    this.emit('piece-failed', { piece, peers: distinct.size });
    if (distinct.size === 1) {
      this.ban([...distinct][0]!, `sent piece ${piece}, which failed its hash check`);
    } else {
      await this.smartBan.recordFailure(piece, data, senders);
    }
    this.fillOthers();
  }

  private ban(address: string, detail: string): void {
    for (const peer of [...this.peers.values()]) {
      if (peer.address === address) peer.close('banned', detail);
    }
    const at = address.lastIndexOf(':');
    const host = address.slice(0, at).replace(/^\[|\]$/g, '');
    this.knownPeers.ban(host, Number(address.slice(at + 1)));
  }

  private expectedHash(piece: number): Uint8Array {
    return this.info.pieceHashes.subarray(piece * 20, piece * 20 + 20);
  }

  // ---- interest, choking, connecting ----------------------------------------------------------------------

  private updateInterest(peer: PeerConnection): void {
    if (!peer.isActive || !peer.peerHas) return;
    peer.setInterested(this.picker.wantsAnyOf(peer.peerIsSeed ? 'all' : peer.peerHas));
  }

  private connectToPeers(): void {
    if (!this.isRunning) return;
    // Seeds dial too (some clients, e.g. Transmission on loopback, never dial the peers a tracker gives them),
    // but not peers already seen to be seeds.
    const room = Math.min(this.settings.maxConnectionsPerTorrent - this.peers.size, this.dialer.dialBudget());
    for (const peer of this.knownPeers.candidates(this.platform.clock.now(), room, this.complete)) {
      this.knownPeers.markConnecting(peer);
      this.dialer.dial(this, peer.host, peer.port);
    }
  }

  private setState(state: TorrentState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state });
  }

  private fail(error: unknown, what: string): void {
    const code = error instanceof BitloomError ? error.code : 'TORRENT_ERROR';
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.error = new BitloomError(code, message, { cause: error });
    for (const peer of [...this.peers.values()]) peer.close('storage-error', this.error.message);
    this.setState('error');
    this.emit('error', this.error);
  }
}
