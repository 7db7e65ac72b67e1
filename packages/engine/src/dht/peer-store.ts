/**
 * The peers other nodes announced to us (BEP 5 announce_peer), answered to get_peers. Each entry expires after
 * a TTL; each info-hash keeps at most a fixed number of peers (a re-announce refreshes, the oldest gives way),
 * and the number of info-hashes is capped (the one with the fewest peers gives way), so announces cannot grow
 * memory without bound.
 */
import type { Random } from '../platform/random.js';
import { shuffle } from '../platform/random.js';
import type { DhtAddress } from './compact.js';

export interface PeerStoreOptions {
  maxPeersPerInfoHash: number;
  maxInfoHashes: number;
  peerTtlMs: number;
}

interface StoredPeer {
  readonly host: string;
  readonly port: number;
  expiresAt: number;
}

export class PeerStore {
  readonly #options: PeerStoreOptions;
  /** Info-hash (binary string) → "host:port" → peer, in announce order (oldest first). */
  readonly #torrents = new Map<string, Map<string, StoredPeer>>();

  constructor(options: PeerStoreOptions) {
    this.#options = options;
  }

  /** Records an announce; refreshes the peer when it is already known. */
  add(infoHashKey: string, host: string, port: number, now: number): void {
    let peers = this.#torrents.get(infoHashKey);
    if (peers === undefined) {
      if (this.#torrents.size >= this.#options.maxInfoHashes) this.#evictSmallestTorrent();
      peers = new Map();
      this.#torrents.set(infoHashKey, peers);
    }
    const key = `${host}:${port}`;
    peers.delete(key);
    if (peers.size >= this.#options.maxPeersPerInfoHash) {
      const oldest = peers.keys().next().value;
      if (oldest !== undefined) peers.delete(oldest);
    }
    peers.set(key, { host, port, expiresAt: now + this.#options.peerTtlMs });
  }

  /** Up to `max` live peers of an info-hash, in random order. */
  get(infoHashKey: string, now: number, max: number, random: Random): DhtAddress[] {
    const peers = this.#torrents.get(infoHashKey);
    if (peers === undefined) return [];
    const live: DhtAddress[] = [];
    for (const peer of peers.values()) {
      if (peer.expiresAt > now) live.push({ host: peer.host, port: peer.port });
    }
    return shuffle(random, live).slice(0, max);
  }

  /** Drops expired peers and empty info-hashes. */
  expire(now: number): void {
    for (const [infoHashKey, peers] of this.#torrents) {
      for (const [key, peer] of peers) if (peer.expiresAt <= now) peers.delete(key);
      if (peers.size === 0) this.#torrents.delete(infoHashKey);
    }
  }

  get infoHashCount(): number {
    return this.#torrents.size;
  }

  get peerCount(): number {
    let count = 0;
    for (const peers of this.#torrents.values()) count += peers.size;
    return count;
  }

  #evictSmallestTorrent(): void {
    let smallestKey: string | undefined;
    let smallestSize = Number.POSITIVE_INFINITY;
    for (const [key, peers] of this.#torrents) {
      if (peers.size < smallestSize) {
        smallestKey = key;
        smallestSize = peers.size;
      }
    }
    if (smallestKey !== undefined) this.#torrents.delete(smallestKey);
  }
}
