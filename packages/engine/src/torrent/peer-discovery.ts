/**
 * Where a torrent's peers come from besides the peers it is told about: its trackers (BEP 12 tiers) and the DHT
 * (BEP 5, never for private torrents). One object for a torrent and for a magnet link still fetching metadata;
 * driven by the owner's tick. (PEX is an extension message and lives with the other extensions.)
 */
import type { Platform } from '../platform/platform.js';
import { DhtPeerFinder, type DhtPeerSource } from '../swarm/dht-peer-finder.js';
import type { PeerSource } from '../swarm/peer-list.js';
import { Announcer, type AnnounceStats, type TrackerStatus } from '../tracker/index.js';

export interface PeerDiscoveryOptions {
  readonly infoHash: Uint8Array;
  readonly private: boolean;
  readonly peerId: Uint8Array;
  readonly platform: Platform;
  readonly listenPort: () => number;
  readonly trackers: readonly (readonly string[])[];
  readonly dht: DhtPeerSource | undefined;
  readonly stats: () => AnnounceStats;
  readonly addPeer: (host: string, port: number, source: PeerSource) => void;
}

export class PeerDiscovery {
  private announcer: Announcer | undefined;
  private readonly makeAnnouncer: (() => Announcer) | undefined;
  private stopped = false;
  private readonly dhtFinder: DhtPeerFinder | undefined;
  private readonly dht: DhtPeerSource | undefined;

  constructor(options: PeerDiscoveryOptions) {
    if (options.dht && !options.private) {
      this.dht = options.dht;
      this.dhtFinder = new DhtPeerFinder(options.dht, options.infoHash, options.listenPort, (peers) => {
        for (const peer of peers) options.addPeer(peer.host, peer.port, 'dht');
      });
    }
    const tiers = options.trackers.filter((tier) => tier.length > 0);
    if (tiers.length > 0) {
      this.makeAnnouncer = () =>
        new Announcer({
          tiers,
          infoHash: options.infoHash,
          peerId: options.peerId,
          port: options.listenPort(),
          platform: options.platform,
          stats: options.stats,
          onPeers: (peers) => {
            for (const peer of peers) options.addPeer(peer.host, peer.port, 'tracker');
          },
        });
      this.announcer = this.makeAnnouncer();
    }
  }

  /** Starts announcing (`started`); after `stop()` (a pause) it starts over with fresh tracker clients. */
  start(needPeers: boolean): void {
    if (this.stopped) {
      this.stopped = false;
      this.announcer = this.makeAnnouncer?.();
    }
    this.announcer?.setNeedPeers(needPeers);
    this.announcer?.start();
  }

  tick(now: number, needPeers: boolean): void {
    this.dhtFinder?.tick(now, needPeers);
    if (this.announcer) {
      this.announcer.setNeedPeers(needPeers);
      this.announcer.tick(now);
    }
  }

  /** The download completed: `completed` to the trackers, once. */
  completed(): void {
    this.announcer?.completed();
  }

  /** `stopped` to the trackers, bounded by the announcer's short stop timeout. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.announcer?.stop().catch(() => {});
  }

  /** A peer's DHT node (BEP 5 PORT message). */
  addDhtNode(host: string, port: number): void {
    if (port > 0) this.dht?.addNode(host, port);
  }

  trackers(): TrackerStatus[] {
    return this.announcer?.status() ?? [];
  }
}
