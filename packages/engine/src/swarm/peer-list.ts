/**
 * The peers a torrent knows about (from the CLI, trackers, PEX, DHT) as opposed to the ones it is connected to.
 * Bounded; remembers failures with a growing back-off and bans; hands out the next addresses worth dialling.
 */

export type PeerSource = 'manual' | 'tracker' | 'pex' | 'dht' | 'incoming';

export interface KnownPeer {
  readonly host: string;
  readonly port: number;
  readonly source: PeerSource;
  state: 'idle' | 'connecting' | 'connected' | 'banned';
  failures: number;
  /** Last seen with every piece: a seed has no reason to dial it. */
  seed: boolean;
  /** Not dialled again before this time. */
  retryAt: number;
}

const BASE_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;
const MAX_FAILURES = 6;

export const peerAddressKey = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

export class PeerList {
  private readonly peers = new Map<string, KnownPeer>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.peers.size;
  }

  /** Adds a peer address; false when it is invalid, already known, or the list is full. */
  add(host: string, port: number, source: PeerSource): boolean {
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || host.length === 0 || host.length > 64)
      return false;
    const key = peerAddressKey(host, port);
    if (this.peers.has(key)) return false;
    if (this.peers.size >= this.capacity && !this.evictOne()) return false;
    this.peers.set(key, { host, port, source, state: 'idle', failures: 0, retryAt: 0, seed: false });
    return true;
  }

  get(host: string, port: number): KnownPeer | undefined {
    return this.peers.get(peerAddressKey(host, port));
  }

  /** Up to `count` peers to dial now, oldest-known first; a seed skips peers known to be seeds. */
  candidates(now: number, count: number, skipSeeds = false): KnownPeer[] {
    const out: KnownPeer[] = [];
    if (count <= 0) return out;
    for (const peer of this.peers.values()) {
      if (peer.state === 'idle' && peer.retryAt <= now && !(skipSeeds && peer.seed)) {
        out.push(peer);
        if (out.length >= count) break;
      }
    }
    return out;
  }

  /** Every address not banned (e.g. to hand over to the torrent that follows a magnet's metadata phase). */
  addresses(): { host: string; port: number }[] {
    const out: { host: string; port: number }[] = [];
    for (const peer of this.peers.values())
      if (peer.state !== 'banned') out.push({ host: peer.host, port: peer.port });
    return out;
  }

  markConnecting(peer: KnownPeer): void {
    peer.state = 'connecting';
  }

  markConnected(host: string, port: number): void {
    const peer = this.get(host, port);
    if (peer && peer.state !== 'banned') {
      peer.state = 'connected';
      peer.failures = 0;
    }
  }

  /** The connection ended; `failed` if it never became useful (refused, bad handshake). */
  markDisconnected(host: string, port: number, now: number, failed: boolean): void {
    const peer = this.get(host, port);
    if (!peer || peer.state === 'banned') return;
    peer.state = 'idle';
    if (failed) {
      peer.failures++;
      if (peer.failures >= MAX_FAILURES) {
        this.peers.delete(peerAddressKey(host, port));
        return;
      }
      peer.retryAt = now + Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** (peer.failures - 1));
    } else {
      peer.retryAt = now + BASE_RETRY_MS;
    }
  }

  markSeed(host: string, port: number): void {
    const peer = this.get(host, port);
    if (peer) peer.seed = true;
  }

  ban(host: string, port: number): void {
    const key = peerAddressKey(host, port);
    const peer = this.peers.get(key);
    if (peer) peer.state = 'banned';
    else
      this.peers.set(key, {
        host,
        port,
        source: 'incoming',
        state: 'banned',
        seed: false,
        failures: 0,
        retryAt: Infinity,
      });
  }

  isBanned(host: string, port: number): boolean {
    return this.get(host, port)?.state === 'banned';
  }

  /** Frees a slot by dropping an idle peer that has failed before, else any idle one. */
  private evictOne(): boolean {
    let victim: string | undefined;
    for (const [key, peer] of this.peers) {
      if (peer.state !== 'idle') continue;
      victim = key;
      if (peer.failures > 0) break;
    }
    if (victim === undefined) return false;
    this.peers.delete(victim);
    return true;
  }
}
