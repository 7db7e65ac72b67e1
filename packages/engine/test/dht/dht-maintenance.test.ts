import { createTestPlatform, MemoryNetwork, VirtualClock } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { Dht } from '../../src/dht/dht.js';
import type { DhtError } from '../../src/dht/dht-error.js';
import type { DhtLimits } from '../../src/dht/dht-limits.js';
import { decodeKrpc, encodeResponse, krpcDict } from '../../src/dht/krpc-codec.js';
import { sameId } from '../../src/dht/node-id.js';

const PORT = 6881;
const limits = { maxMessageBytes: 8192, maxItems: 1024 };

function network() {
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, { latencyMs: 5 });
  const dhts: Dht[] = [];
  const tick = () => {
    for (const dht of dhts) dht.tick(clock.now());
    clock.setTimer(500, tick);
  };
  clock.setTimer(500, tick);
  const node = async (
    host: string,
    options: { bootstrap?: string[]; savedNodes?: Dht['exportNodes']; limits?: Partial<DhtLimits> } = {},
  ) => {
    const platform = createTestPlatform({ seed: dhts.length + 1, host, network: net });
    const socket = await platform.udp.bind(host, PORT);
    const dht = new Dht({
      platform,
      socket,
      bootstrap: (options.bootstrap ?? []).map((bootstrapHost) => ({ host: bootstrapHost, port: PORT })),
      savedNodes: options.savedNodes?.call(undefined),
      limits: options.limits,
    });
    dhts.push(dht);
    return dht;
  };
  return { clock, net, node };
}

describe('DHT maintenance from the tick (BEP 5)', () => {
  it('re-bootstraps when the bootstrap node was down at start', async () => {
    const { clock, node } = network();
    const late = await node('10.0.0.2', { bootstrap: ['10.0.0.1'] });
    late.start();
    await clock.advanceAsync(10_000);
    expect(late.stats().nodes).toBe(0);
    expect(late.stats().timeouts).toBeGreaterThan(0);
    const router = await node('10.0.0.1');
    router.start();
    await clock.advanceAsync(60_000);
    expect(late.exportNodes().map((n) => n.host)).toEqual(['10.0.0.1']);
    expect(router.exportNodes().map((n) => n.host)).toEqual(['10.0.0.2']);
  });

  it('a restarted node rejoins through its saved nodes alone', async () => {
    const { clock, node } = network();
    const router = await node('10.0.0.1');
    router.start();
    const first = await node('10.0.0.2', { bootstrap: ['10.0.0.1'] });
    first.start();
    await clock.advanceAsync(2_000);
    const saved = first.exportNodes();
    expect(saved).toHaveLength(1);
    const restarted = await node('10.0.0.3', { savedNodes: () => saved });
    restarted.start();
    await clock.advanceAsync(2_000);
    expect(
      restarted
        .exportNodes()
        .map((n) => n.host)
        .sort(),
    ).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('refreshes a bucket left unchanged for 15 minutes with a find_node for a random id in it', async () => {
    const { clock, net, node } = network();
    // A scripted node that answers everything and records the find_node targets it is asked for.
    const scripted = await createTestPlatform({ seed: 99, host: '10.0.0.9', network: net }).udp.bind(
      '10.0.0.9',
      PORT,
    );
    const scriptedId = new Uint8Array(20).fill(0x99);
    const targets: Uint8Array[] = [];
    scripted.setHandler((bytes, host, port) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind !== 'query') return;
      if (message.method === 'find_node') targets.push(message.args.get('target') as Uint8Array);
      scripted.send(encodeResponse(message.transactionId, krpcDict({ id: scriptedId })), host, port);
    });
    // One node is all this network has: no re-bootstrapping for want of more.
    const dht = await node('10.0.0.2', { bootstrap: ['10.0.0.9'], limits: { minNodesBeforeRebootstrap: 1 } });
    dht.start();
    await clock.advanceAsync(2_000);
    expect(targets).toHaveLength(1);
    expect(sameId(targets[0]!, dht.nodeId)).toBe(true);
    await clock.advanceAsync(10 * 60_000);
    expect(targets).toHaveLength(1);
    await clock.advanceAsync(6 * 60_000);
    expect(targets.length).toBeGreaterThan(1);
    expect(targets.slice(1).every((target) => !sameId(target, dht.nodeId))).toBe(true);
  });

  it('refuses lookups before start()', async () => {
    const { node } = network();
    const dht = await node('10.0.0.1');
    await expect(dht.getPeers(new Uint8Array(20), () => undefined)).rejects.toMatchObject({
      code: 'DHT_NOT_STARTED',
    } satisfies Partial<DhtError>);
    await expect(dht.findNode(new Uint8Array(19))).rejects.toMatchObject({ code: 'DHT_BAD_ARGUMENT' });
    await expect(dht.announce(new Uint8Array(20), 0)).rejects.toMatchObject({ code: 'DHT_BAD_ARGUMENT' });
  });
});
