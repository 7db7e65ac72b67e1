/**
 * Connection limits under a flood: while a leecher downloads from a bitloom seeder, 500 connection attempts a
 * second arrive from as many hosts, half of them trickling a valid handshake a byte at a time (slowloris), half
 * completing it at once and then saying nothing. The session's connection count (sockets still handshaking
 * included) and the torrent's must never pass their limits, every trickler must be gone at the handshake timeout
 * counted from its accept, and the transfer in progress must go on and complete. A full session drops the
 * incoming connection longest in its handshake for a new one, so a real peer arriving mid-flood still gets in.
 */
import { encodeHandshake } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { makeSwarmTorrent, Swarm, sameBytes } from './swarm-fixture.js';

const MiB = 1024 * 1024;
const SESSION_LIMIT = 30;
const TORRENT_LIMIT = 10;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const ATTEMPTS_PER_SECOND = 500;
const FLOOD_MS = 5_000;
/** A trickler sends one handshake byte this often: its 68 bytes would take 13.6 s, past the timeout. */
const TRICKLE_INTERVAL_MS = 200;

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

/** Host i of the flood: 10.9.x.y, one address per attempt. */
function floodHost(i: number): string {
  return `10.9.${(i >> 8) & 0xff}.${(i & 0xff) + 1}`;
}

function peerIdOf(i: number): Uint8Array {
  return new TextEncoder().encode(`-FL0001-${String(i).padStart(12, '0')}`);
}

describe('connection flood against a seeder with a transfer in progress', () => {
  it('500 attempts/s, half trickling a byte at a time: limits hold, tricklers time out, the download completes', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 16 * MiB }], 256 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: MiB, latencyMs: 5 });
    const s = swarm;
    const seeder = await s.addSeeder({
      maxConnectionsPerSession: SESSION_LIMIT,
      maxConnectionsPerTorrent: TORRENT_LIMIT,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    });
    await s.clock.runUntil(() => seeder.torrent.state === 'seeding');
    const refusedAtAccept: string[] = [];
    seeder.session.on('peer-refused', (e) => {
      if (e.reason === 'too-many-connections') refusedAtAccept.push(e.address);
    });
    const overTorrentLimit: string[] = [];
    seeder.torrent.on('peer-closed', (e) => {
      if (e.reason === 'too-many-connections') overTorrentLimit.push(e.address);
    });

    const leecher = await s.addLeecher({}, [seeder]);
    const leecherCloses: string[] = [];
    leecher.torrent.on('peer-closed', (e) => {
      if (!leecher.torrent.complete) leecherCloses.push(`${e.address} ${e.reason}`);
    });
    await s.clock.runUntil(() => leecher.torrent.status().downloadedBytes >= MiB);

    // Sample both counts every virtual millisecond while anything is going on.
    let maxSession = 0;
    let maxTorrent = 0;
    let sampling = true;
    const sample = () => {
      maxSession = Math.max(maxSession, seeder.session.connectionCount);
      maxTorrent = Math.max(maxTorrent, seeder.torrent.connectionCount);
      if (sampling) s.clock.setTimer(1, sample);
    };
    sample();

    const tricklers: { peer: ScriptedPeer; openedAt: number }[] = [];
    const completers: ScriptedPeer[] = [];
    const attempts = (ATTEMPTS_PER_SECOND * FLOOD_MS) / 1000;
    const gapMs = 1000 / ATTEMPTS_PER_SECOND;
    let launched = 0;
    const launch = () => {
      const i = launched++;
      const host = s.network.host(floodHost(i));
      const dialOptions = { infoHash: torrent.info.infoHash, clock: s.clock, peerId: peerIdOf(i) };
      if (i % 2 === 0) {
        const peer = ScriptedPeer.dial(host, seeder.host, seeder.session.listenPort, {
          ...dialOptions,
          sendHandshake: false,
        });
        const entry = { peer, openedAt: s.clock.now() };
        tricklers.push(entry);
        const handshake = encodeHandshake({
          reserved: new Uint8Array(8),
          infoHash: torrent.info.infoHash,
          peerId: peerIdOf(i),
        });
        let sent = 0;
        const trickle = () => {
          if (peer.closed || sent >= handshake.length) return;
          if (peer.connected) peer.sendRaw(handshake.subarray(sent, ++sent));
          s.clock.setTimer(TRICKLE_INTERVAL_MS, trickle);
        };
        s.clock.setTimer(0, trickle);
      } else {
        completers.push(ScriptedPeer.dial(host, seeder.host, seeder.session.listenPort, dialOptions));
      }
      if (launched < attempts) s.clock.setTimer(gapMs, launch);
    };
    const downloadedBeforeFlood = leecher.torrent.status().downloadedBytes;
    launch();
    await s.clock.runUntil(() => launched === attempts, { maxMs: FLOOD_MS + 1000 });
    const downloadedDuringFlood = leecher.torrent.status().downloadedBytes - downloadedBeforeFlood;

    await s.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
    // Every trickler is gone, and within the handshake timeout of its accept (plus a tick and the link).
    await s.clock.runUntil(() => tricklers.every((t) => t.peer.closed), { maxMs: 30_000 });
    sampling = false;

    expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
    expect(maxSession).toBeLessThanOrEqual(SESSION_LIMIT);
    expect(maxTorrent).toBeLessThanOrEqual(TORRENT_LIMIT);
    // The limits were reached: the flood was turned away (or evicted, oldest handshake first) at accept, and at
    // the torrent.
    expect(maxSession).toBe(SESSION_LIMIT);
    expect(refusedAtAccept.length).toBeGreaterThan(attempts / 4);
    expect(overTorrentLimit.length).toBeGreaterThan(0);
    for (const t of tricklers) {
      expect(t.peer.handshake).toBeUndefined();
      expect(t.peer.closedAt! - t.openedAt).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 500);
    }
    const accepted = completers.filter((p) => p.handshake !== undefined).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(completers.length);
    // The download kept going during the flood: at least half of the link's 1 MiB/s over its 5 s.
    expect(downloadedDuringFlood).toBeGreaterThan((FLOOD_MS / 1000) * 0.5 * MiB);
    // Its one connection to the seeder lasted until the download was complete.
    expect(leecherCloses).toEqual([]);
  });

  it('incoming connections still handshaking count against the limit for dials too', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: MiB }], 256 * 1024);
    swarm = new Swarm(torrent, { latencyMs: 5 });
    const s = swarm;
    const seeder = await s.addSeeder({ maxConnectionsPerSession: 5 });
    const leecher = await s.addLeecher();
    await s.clock.runUntil(() => seeder.torrent.state === 'seeding');
    const silent = Array.from({ length: 5 }, (_, i) =>
      ScriptedPeer.dial(s.network.host(floodHost(i)), seeder.host, seeder.session.listenPort, {
        infoHash: torrent.info.infoHash,
        clock: s.clock,
        sendHandshake: false,
      }),
    );
    await s.clock.runUntil(() => silent.every((p) => p.connected));
    expect(seeder.session.connectionCount).toBe(5);
    // The seeder learns of a leecher: no room to dial it while the five handshakes are pending.
    seeder.torrent.addPeer(leecher.host, leecher.session.listenPort);
    let maxSession = 0;
    await s.clock.runUntil(
      () => {
        maxSession = Math.max(maxSession, seeder.session.connectionCount);
        return leecher.torrent.complete;
      },
      { maxMs: 60_000, stepMs: 1 },
    );
    expect(maxSession).toBe(5);
    expect(silent.every((p) => p.closed)).toBe(true);
    expect(sameBytes(s.contents(leecher), torrent.payload)).toBe(true);
  });

  it('a peer arriving in the middle of a slowloris flood still gets in: the oldest pending handshake makes room', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'payload.bin', length: 4 * MiB }], 256 * 1024);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 4 * MiB, latencyMs: 5 });
    const s = swarm;
    const seeder = await s.addSeeder({ maxConnectionsPerSession: SESSION_LIMIT });
    await s.clock.runUntil(() => seeder.torrent.state === 'seeding');
    let maxSession = 0;
    let flooding = true;
    let launched = 0;
    const launch = () => {
      maxSession = Math.max(maxSession, seeder.session.connectionCount);
      if (!flooding) return;
      const i = launched++;
      const peer = ScriptedPeer.dial(s.network.host(floodHost(i)), seeder.host, seeder.session.listenPort, {
        infoHash: torrent.info.infoHash,
        clock: s.clock,
        sendHandshake: false,
      });
      const handshake = encodeHandshake({
        reserved: new Uint8Array(8),
        infoHash: torrent.info.infoHash,
        peerId: peerIdOf(i),
      });
      let sent = 0;
      const trickle = () => {
        if (peer.closed || sent >= handshake.length) return;
        if (peer.connected) peer.sendRaw(handshake.subarray(sent, ++sent));
        s.clock.setTimer(TRICKLE_INTERVAL_MS, trickle);
      };
      s.clock.setTimer(0, trickle);
      s.clock.setTimer(1000 / ATTEMPTS_PER_SECOND, launch);
    };
    launch();
    // Two seconds in, every slot has long been taken by tricklers.
    await s.clock.advanceAsync(2000);
    expect(seeder.session.connectionCount).toBe(SESSION_LIMIT);
    const newcomer = await s.addLeecher({}, [seeder]);
    let connectedAt: number | undefined;
    newcomer.torrent.on('peer-connected', () => {
      connectedAt ??= s.clock.now();
    });
    await s.clock.runUntil(() => newcomer.torrent.complete, { maxMs: 60_000 });
    const completedAt = s.clock.now();
    flooding = false;
    expect(sameBytes(s.contents(newcomer), torrent.payload)).toBe(true);
    expect(connectedAt).toBeDefined();
    // It got in and finished while the flood was still going.
    expect(launched).toBeGreaterThan(ATTEMPTS_PER_SECOND * ((completedAt - (connectedAt ?? 0)) / 1000));
    expect(maxSession).toBeLessThanOrEqual(SESSION_LIMIT);
  });
});
