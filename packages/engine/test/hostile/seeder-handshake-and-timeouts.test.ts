/**
 * Hostile peers against a bitloom seeder, part 3: the handshake (BEP 3) and the clocks. An info-hash we do not
 * have, our own peer id, a handshake trickled a byte a second (slowloris), and a peer that goes silent after the
 * handshake — all on the virtual clock: the handshake timeout is 10 s, keep-alives go out after 60 s idle, and a
 * peer silent for 120 s is closed.
 */
import { encodeHandshake } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import type { Swarm } from '../swarm/swarm-fixture.js';
import { attackerCloses, honestLeecherCompletes, seederUnderAttack } from './hostile-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

describe('hostile peer vs seeder: handshake', () => {
  it('handshake for an info-hash we do not have: closed before our handshake, never attached', async () => {
    const connected: string[] = [];
    const run = await seederUnderAttack({ attacker: { infoHash: new Uint8Array(20).fill(0x5a) } });
    swarm = run.swarm;
    run.seeder.torrent.on('peer-connected', (e) => connected.push(e.address));
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
    expect(run.attacker.handshake).toBeUndefined();
    expect(run.seeder.torrent.connectionCount).toBe(0);
    expect(connected).toEqual([]);
    // Never attached to a torrent, so no torrent reports it (the session's accounting drops it).
    expect(run.closes).toEqual([]);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });

  it('a peer that presents our own peer id: closed right after the handshake, never attached', async () => {
    const connected: string[] = [];
    const run = await seederUnderAttack({ attacker: (seeder) => ({ peerId: seeder.session.peerId }) });
    swarm = run.swarm;
    run.seeder.torrent.on('peer-connected', (e) => connected.push(e.address));
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
    expect(run.seeder.torrent.connectionCount).toBe(0);
    expect(connected).toEqual([]);
    // Closed before the seeder said anything past its handshake.
    expect(run.attacker.received).toEqual([]);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });

  it('slowloris: a valid handshake trickled one byte per second is closed at the 10 s handshake timeout', async () => {
    const run = await seederUnderAttack({ attacker: { sendHandshake: false } });
    swarm = run.swarm;
    const { attacker, seeder } = run;
    const handshake = encodeHandshake({
      reserved: new Uint8Array(8),
      infoHash: run.torrent.info.infoHash,
      peerId: new TextEncoder().encode('-XX0001-slowlorisxxx'),
    });
    const startedAt = run.swarm.clock.now();
    let sent = 0;
    const trickle = () => {
      if (attacker.closed || sent >= handshake.length) return;
      attacker.sendRaw(handshake.subarray(sent, sent + 1));
      sent++;
      run.swarm.clock.setTimer(1000, trickle);
    };
    trickle();
    await run.swarm.clock.runUntil(() => attacker.closed, { maxMs: 30_000 });
    const openFor = attacker.closedAt! - startedAt;
    expect(openFor).toBeGreaterThanOrEqual(10_000);
    // One tick (100 ms in testing settings) plus link latency past the timeout, not a byte-count more.
    expect(openFor).toBeLessThan(10_500);
    expect(sent).toBeLessThan(handshake.length);
    expect(attacker.handshake).toBeUndefined();
    expect(seeder.torrent.connectionCount).toBe(0);
    await honestLeecherCompletes(run.swarm, seeder);
  });

  it('a connection that sends nothing at all is closed at the 10 s handshake timeout', async () => {
    const run = await seederUnderAttack({ attacker: { sendHandshake: false } });
    swarm = run.swarm;
    const startedAt = run.swarm.clock.now();
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 30_000 });
    expect(run.attacker.closedAt! - startedAt).toBeGreaterThanOrEqual(10_000);
    expect(run.attacker.closedAt! - startedAt).toBeLessThan(10_500);
  });
});

describe('hostile peer vs seeder: silence after the handshake', () => {
  it('a silent peer gets a keep-alive after 60 s idle and is closed as inactive after 120 s', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    const { attacker, swarm: s } = run;
    const start = s.clock.now();
    await s.clock.advanceAsync(59_000);
    expect(attacker.count('keep-alive')).toBe(0);
    await s.clock.advanceAsync(2_000);
    expect(attacker.count('keep-alive')).toBe(1);
    await s.clock.advanceAsync(58_000);
    expect(attacker.closed).toBe(false);
    await s.clock.runUntil(() => attacker.closed, { maxMs: 2_000 });
    expect(attacker.closedAt! - start).toBeGreaterThanOrEqual(120_000 - 10);
    expect(attacker.closedAt! - start).toBeLessThan(120_500);
    expect(attackerCloses(run.closes)).toEqual(['inactive']);
    expect(attacker.count('keep-alive')).toBe(1);
    await honestLeecherCompletes(s, run.seeder);
  });

  it('a peer that only sends keep-alives every 50 s is not closed (silence, not idleness, is the offence)', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    const { attacker, swarm: s } = run;
    for (let i = 0; i < 6; i++) {
      await s.clock.advanceAsync(50_000);
      attacker.send({ type: 'keep-alive' });
    }
    await s.clock.advanceAsync(10);
    expect(attacker.closed).toBe(false);
    expect(run.closes).toEqual([]);
    // Our own keep-alives kept going out while we had nothing else to say.
    expect(attacker.count('keep-alive')).toBeGreaterThanOrEqual(4);
  });
});
