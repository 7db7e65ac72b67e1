/**
 * Finding a torrent's peers through the DHT (BEP 5): announce ourselves (a get_peers lookup, then announce_peer to
 * the closest nodes) when the torrent starts and every 15 minutes, sooner (every 2 minutes) while it needs peers.
 * Driven by the torrent's tick; one lookup at a time. Never used for private torrents (BEP 27).
 */

/** The part of the DHT a torrent uses. */
export interface DhtPeerSource {
  announce(
    infoHash: Uint8Array,
    port: number,
    impliedPort: boolean,
    onPeers: (peers: { host: string; port: number }[]) => void,
  ): Promise<unknown>;
  addNode(host: string, port: number): void;
}

export const DHT_ANNOUNCE_INTERVAL_MS = 15 * 60_000;
export const DHT_NEED_PEERS_INTERVAL_MS = 2 * 60_000;

export class DhtPeerFinder {
  private running = false;
  private lastStartedAt = -Infinity;

  constructor(
    private readonly dht: DhtPeerSource,
    private readonly infoHash: Uint8Array,
    private readonly port: () => number,
    private readonly onPeers: (peers: { host: string; port: number }[]) => void,
  ) {}

  tick(now: number, needPeers: boolean): void {
    if (this.running) return;
    const wait = needPeers ? DHT_NEED_PEERS_INTERVAL_MS : DHT_ANNOUNCE_INTERVAL_MS;
    if (now - this.lastStartedAt < wait) return;
    const port = this.port();
    if (port <= 0) return;
    this.running = true;
    this.lastStartedAt = now;
    this.dht.announce(this.infoHash, port, false, this.onPeers).then(
      () => {
        this.running = false;
      },
      () => {
        // A failed lookup (no nodes yet, DHT stopped) is retried at the next interval.
        this.running = false;
      },
    );
  }
}
