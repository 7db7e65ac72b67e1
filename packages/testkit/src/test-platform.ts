/**
 * A whole `Platform` for one virtual peer: its host on a shared `MemoryNetwork`, randomness from a seed, the
 * test hasher and in-memory storage. Several peers built on one network share its `VirtualClock`, so a swarm
 * runs in one deterministic virtual time.
 */
import type { Platform } from '@bitloom/engine';
import { MemoryHttpClient } from './memory-http.js';
import { type MemoryHost, MemoryNetwork } from './memory-network.js';
import { MemoryStorage } from './memory-storage.js';
import { SeededRandom } from './seeded-random.js';
import { TestHasher } from './test-hasher.js';
import { VirtualClock } from './virtual-clock.js';

/** Options of {@link createTestPlatform}. */
export interface TestPlatformOptions {
  /** Seeds this peer's randomness (peer id, tie-breaks). */
  seed: number;
  /** This peer's IP address on the network. Default `10.0.0.1`. */
  host?: string;
  /** The network to join; without it a new network on a new clock is made (handy for one-peer tests). */
  network?: MemoryNetwork;
  /** Storage to use, e.g. to restart a peer over the data it had. Default: a new `MemoryStorage`. */
  storage?: MemoryStorage;
  /** HTTP answers (trackers). Default: a new `MemoryHttpClient` with no routes. */
  http?: MemoryHttpClient;
}

/** A `Platform` whose parts keep their test types, so tests can drive the clock and inject faults. */
export interface TestPlatform extends Platform {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly hasher: TestHasher;
  readonly storage: MemoryStorage;
  readonly http: MemoryHttpClient;
  readonly network: MemoryNetwork;
  readonly host: MemoryHost;
}

/**
 * Makes the platform of one virtual peer.
 *
 * ```ts
 * const network = new MemoryNetwork(new VirtualClock());
 * const seeder = createTestPlatform({ seed: 1, host: '10.0.0.1', network });
 * const leecher = createTestPlatform({ seed: 2, host: '10.0.0.2', network });
 * await network.clock.runUntil(() => leecherDone);
 * ```
 */
export function createTestPlatform(options: TestPlatformOptions): TestPlatform {
  const network = options.network ?? new MemoryNetwork(new VirtualClock());
  const host = network.host(options.host ?? '10.0.0.1');
  return {
    clock: network.clock,
    random: new SeededRandom(options.seed),
    hasher: new TestHasher(),
    tcp: host.tcp,
    udp: host.udp,
    storage: options.storage ?? new MemoryStorage(),
    http: options.http ?? new MemoryHttpClient(),
    network,
    host,
  };
}
