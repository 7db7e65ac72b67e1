import { describe, expect, it } from 'vitest';
import { compareDistance, idToHex } from '../../src/dht/node-id.js';
import { type DhtSwarm, settle, startDhtSwarm } from './dht-swarm.js';

const NODES = 200;

function countDead(nodes: { host: string }[], deadHosts: Set<string>): number {
  return nodes.filter((node) => deadHosts.has(node.host)).length;
}

function infoHash(fill: number): Uint8Array {
  const hash = new Uint8Array(20);
  for (let i = 0; i < 20; i++) hash[i] = (fill * 37 + i * 11) & 0xff;
  return hash;
}

/** Ids of the `k` live nodes truly closest to `target` (ground truth the lookup should find). */
function trueClosest(swarm: DhtSwarm, target: Uint8Array, k: number): string[] {
  return swarm
    .live()
    .map((node) => node.dht.nodeId)
    .sort((a, b) => compareDistance(target, a, b))
    .slice(0, k)
    .map(idToHex);
}

describe('DHT simulation: 200 bitloom nodes on a virtual network', () => {
  it('bootstraps, converges, announces and finds, and survives 30% of nodes leaving', async () => {
    const swarm = await startDhtSwarm(NODES, { seed: 7 });
    try {
      const tableSizes = swarm.nodes.map((node) => node.dht.stats().nodes);
      expect(Math.min(...tableSizes)).toBeGreaterThanOrEqual(8);

      // Lookups converge on the true k closest within a bounded number of queries and referral hops.
      for (const [index, target] of [infoHash(1), infoHash(2), infoHash(3)].entries()) {
        const asker = swarm.nodes[(index * 61 + 13) % NODES]!;
        const result = await settle(swarm.clock, asker.dht.findNode(target));
        const found = result.closest.map((node) => idToHex(node.id));
        const truth = trueClosest(swarm, target, 8).filter((id) => id !== idToHex(asker.dht.nodeId));
        const overlap = found.filter((id) => truth.includes(id)).length;
        expect(overlap).toBeGreaterThanOrEqual(7);
        expect(result.queried).toBeLessThanOrEqual(60);
        expect(result.hops).toBeLessThanOrEqual(6);
      }

      // Announce from one node, find it from another.
      const torrent = infoHash(9);
      const announcer = swarm.nodes[42]!;
      const announced = await settle(swarm.clock, announcer.dht.announce(torrent, 51413));
      expect(announced.announcedTo).toBeGreaterThanOrEqual(6);

      const seeker = swarm.nodes[150]!;
      const found: string[] = [];
      const lookup = await settle(
        swarm.clock,
        seeker.dht.getPeers(torrent, (peers) => found.push(...peers.map((p) => `${p.host}:${p.port}`))),
      );
      expect(found).toContain(`${announcer.host}:51413`);
      expect(lookup.peersFound).toBe(1);

      // Churn: 30% leave without a word (including some of the nodes that stored the announce).
      const leaving = swarm.nodes.filter((_, index) => index % 10 < 3 && index !== 42 && index !== 77);
      expect(leaving.length).toBeGreaterThanOrEqual(NODES * 0.3 - 2);
      for (const node of leaving) await swarm.kill(node);
      await swarm.clock.advanceAsync(30_000);

      const afterChurn: string[] = [];
      const survivor = swarm.nodes[77]!;
      const churned = await settle(
        swarm.clock,
        survivor.dht.getPeers(torrent, (peers) =>
          afterChurn.push(...peers.map((p) => `${p.host}:${p.port}`)),
        ),
      );
      expect(afterChurn).toContain(`${announcer.host}:51413`);
      // Dead nodes were still in routing tables and cost timeouts, yet the lookup converged on live nodes.
      expect(churned.failed).toBeGreaterThan(0);
      const deadHosts = new Set(leaving.map((node) => node.host));
      expect(churned.closest.filter((node) => deadHosts.has(node.host))).toEqual([]);

      // A fresh announce after churn reaches live nodes only, and is found.
      const second = infoHash(10);
      const reannounce = await settle(swarm.clock, survivor.dht.announce(second, 6000));
      expect(reannounce.announcedTo).toBeGreaterThanOrEqual(6);
      const later: string[] = [];
      await settle(
        swarm.clock,
        swarm.nodes[199]!.dht.getPeers(second, (peers) =>
          later.push(...peers.map((p) => `${p.host}:${p.port}`)),
        ),
      );
      expect(later).toEqual([`${survivor.host}:6000`]);

      // Routing tables shed the dead: once silent nodes turn questionable (15 min), ticks ping them and two
      // failures make them bad, so they are no longer exported.
      const deadBefore = swarm
        .live()
        .reduce((sum, node) => sum + countDead(node.dht.exportNodes(), deadHosts), 0);
      expect(deadBefore).toBeGreaterThan(0);
      await swarm.clock.advanceAsync(20 * 60_000);
      const deadAfter = swarm
        .live()
        .reduce((sum, node) => sum + countDead(node.dht.exportNodes(), deadHosts), 0);
      expect(deadAfter).toBe(0);
      expect(Math.min(...swarm.live().map((node) => node.dht.stats().nodes))).toBeGreaterThanOrEqual(8);
    } finally {
      await swarm.close();
    }
  });
});
