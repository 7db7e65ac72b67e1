/**
 * BEP 5 PORT between peers: a session running a DHT sets the DHT bit in its handshake and tells a peer that set
 * it too where its node listens, and the peer adds that node to its routing table. On the virtual network.
 */
import { Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { makeSwarmTorrent, Swarm } from './swarm-fixture.js';

const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

async function seedingSession(swarm: Swarm, host: string, withDht: boolean) {
  const platform = createTestPlatform({ seed: Number(host.split('.')[3]), host, network: swarm.network });
  const session = await Session.create({
    platform,
    listen: { host, port: 6881 },
    settings: testingSettings(),
    // The DHT on its own UDP port, so PORT visibly carries it rather than the TCP port.
    ...(withDht && { dht: { bootstrap: [], port: 7000 } }),
  });
  sessions.push(session);
  const { info, payload } = swarm.torrent;
  const files = await platform.storage.open('/data', [
    { path: info.files[0]!.path, length: info.totalLength },
  ]);
  await files.write(0, 0, payload);
  const torrent = session.addTorrent(info, { savePath: '/data' });
  await swarm.clock.runUntil(() => torrent.state === 'seeding');
  return session;
}

describe('BEP 5 PORT between peers', () => {
  it("a seeder with a DHT sets the DHT bit and sends PORT with its node's port to a peer that runs a DHT", async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 256 * 1024 }], 64 * 1024);
    const swarm = new Swarm(torrent);
    await seedingSession(swarm, '10.0.3.1', true);
    const peer = ScriptedPeer.dial(swarm.network.host('10.0.3.9'), '10.0.3.1', 6881, {
      infoHash: torrent.info.infoHash,
      dht: true,
    });
    await swarm.clock.runUntil(() => peer.received.some((m) => m.type === 'port') || peer.closed);
    expect(peer.handshake!.reserved[7]! & 0x01).toBe(1);
    expect(peer.received.filter((m) => m.type === 'port')).toEqual([{ type: 'port', port: 7000 }]);
    // The bitfield still comes first after the handshake (BEP 3).
    expect(peer.received[0]!.type).toBe('bitfield');
  });

  it('no PORT to a peer without the DHT bit, and no DHT bit from a session without a DHT', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 256 * 1024 }], 64 * 1024);
    const swarm = new Swarm(torrent);
    await seedingSession(swarm, '10.0.3.1', true);
    await seedingSession(swarm, '10.0.3.2', false);
    const noDhtPeer = ScriptedPeer.dial(swarm.network.host('10.0.3.9'), '10.0.3.1', 6881, {
      infoHash: torrent.info.infoHash,
    });
    const toNoDhtSession = ScriptedPeer.dial(swarm.network.host('10.0.3.8'), '10.0.3.2', 6881, {
      infoHash: torrent.info.infoHash,
      dht: true,
    });
    await swarm.clock.runUntil(() => noDhtPeer.received.length > 0 && toNoDhtSession.received.length > 0);
    await swarm.clock.advanceAsync(1_000);
    expect(noDhtPeer.received.some((m) => m.type === 'port')).toBe(false);
    expect(toNoDhtSession.handshake!.reserved[7]! & 0x01).toBe(0);
    expect(toNoDhtSession.received.some((m) => m.type === 'port')).toBe(false);
  });

  it("two bitloom sessions with DHTs and no bootstrap node learn each other's node through PORT", async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 256 * 1024 }], 64 * 1024);
    const swarm = new Swarm(torrent);
    const seeder = await seedingSession(swarm, '10.0.3.1', true);
    const platform = createTestPlatform({ seed: 2, host: '10.0.3.2', network: swarm.network });
    const leecher = await Session.create({
      platform,
      listen: { host: '10.0.3.2', port: 6881 },
      settings: testingSettings(),
      dht: { bootstrap: [], port: 7000 },
    });
    sessions.push(leecher);
    expect(seeder.dht!.stats().nodes).toBe(0);
    const download = leecher.addTorrent(torrent.info, {
      savePath: '/dl',
      peers: [{ host: '10.0.3.1', port: 6881 }],
    });
    await swarm.clock.runUntil(() => download.complete);
    await swarm.clock.runUntil(() => seeder.dht!.stats().nodes > 0 && leecher.dht!.stats().nodes > 0);
    expect(seeder.dht!.exportNodes().map((n) => `${n.host}:${n.port}`)).toEqual(['10.0.3.2:7000']);
    expect(leecher.dht!.exportNodes().map((n) => `${n.host}:${n.port}`)).toEqual(['10.0.3.1:7000']);
  });
});
