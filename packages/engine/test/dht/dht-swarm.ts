/**
 * A simulated Mainline DHT (BEP 5) for tests: many bitloom `Dht` nodes, each on its own virtual host of one
 * `MemoryNetwork`, ticked every 500 ms from the shared `VirtualClock`. Nodes join one after another through
 * the first node, as real ones do through a bootstrap router.
 */
import { createTestPlatform, MemoryNetwork, type TestPlatform, VirtualClock } from '@bitloom/testkit';
import { Dht } from '../../src/dht/dht.js';
import type { DhtLimits } from '../../src/dht/dht-limits.js';

export const DHT_PORT = 6881;
const TICK_MS = 500;

export interface SwarmNode {
  readonly dht: Dht;
  readonly platform: TestPlatform;
  readonly host: string;
  alive: boolean;
}

export interface DhtSwarm {
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  readonly nodes: SwarmNode[];
  /** Nodes still alive. */
  live(): SwarmNode[];
  /** Black-holes a node, as if it left without a word, and stops it. */
  kill(node: SwarmNode): Promise<void>;
  /** Stops every node and the tick. */
  close(): Promise<void>;
}

export function hostOf(index: number): string {
  return `10.${(index >> 8) & 255}.${index & 255}.1`;
}

/** Builds and bootstraps `count` nodes; resolves once every node's bootstrap lookup has converged. */
export async function startDhtSwarm(
  count: number,
  options: { seed?: number; latencyMs?: number; limits?: Partial<DhtLimits>; joinGapMs?: number } = {},
): Promise<DhtSwarm> {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock, { latencyMs: options.latencyMs ?? 10 });
  const nodes: SwarmNode[] = [];
  let ticking = true;
  const tick = () => {
    if (!ticking) return;
    for (const node of nodes) if (node.alive) node.dht.tick(clock.now());
    clock.setTimer(TICK_MS, tick);
  };
  clock.setTimer(TICK_MS, tick);

  const bootstrap = [{ host: hostOf(0), port: DHT_PORT }];
  const seed = options.seed ?? 1;
  for (let index = 0; index < count; index++) {
    const host = hostOf(index);
    const platform = createTestPlatform({ seed: seed * 100_000 + index, host, network });
    const socket = await platform.udp.bind(host, DHT_PORT);
    const dht = new Dht({
      platform,
      socket,
      bootstrap: index === 0 ? [] : bootstrap,
      limits: options.limits,
    });
    nodes.push({ dht, platform, host, alive: true });
    dht.start();
    await clock.advanceAsync(options.joinGapMs ?? 20);
  }
  let bootstrapped = false;
  Promise.all(nodes.map((node) => node.dht.whenBootstrapped())).then(() => {
    bootstrapped = true;
  });
  await clock.runUntil(() => bootstrapped, { maxMs: 120_000 });

  return {
    clock,
    network,
    nodes,
    live: () => nodes.filter((node) => node.alive),
    async kill(node) {
      node.alive = false;
      network.dropHost(node.host);
      await node.dht.stop();
    },
    async close() {
      ticking = false;
      await Promise.all(nodes.filter((node) => node.alive).map((node) => node.dht.stop()));
    },
  };
}

/** Runs `work` while moving the virtual clock until it settles; throws if it takes over `maxMs` virtual ms. */
export async function settle<T>(clock: VirtualClock, work: Promise<T>, maxMs = 120_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let failure: unknown;
  work.then(
    (result) => {
      value = result;
      done = true;
    },
    (error: unknown) => {
      failure = error;
      done = true;
    },
  );
  await clock.runUntil(() => done, { maxMs });
  if (failure !== undefined) throw failure;
  return value as T;
}
