/**
 * Hostile peers against a bitloom seeder, part 1: malformed and out-of-range messages (BEP 3 framing, BITFIELD,
 * HAVE, fixed-size messages, unknown ids, BEP 6 messages without the Fast bit). Each attack must end in the bad
 * peer's close with the right reason (or the message ignored), and an honest leecher must still complete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Swarm } from '../swarm/swarm-fixture.js';
import {
  attackerCloses,
  frame,
  honestLeecherCompletes,
  PIECE_COUNT,
  seederUnderAttack,
  u32,
} from './hostile-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

/** Sends `bytes` from a fresh attacker and expects the seeder to close it with `reason`. */
async function expectClosedFor(bytes: Uint8Array, reason: string, options: { fast?: boolean } = {}) {
  const run = await seederUnderAttack({ attacker: { fast: options.fast ?? false } });
  swarm = run.swarm;
  run.attacker.sendRaw(bytes);
  await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
  expect(attackerCloses(run.closes)).toEqual([reason]);
  expect(run.seeder.torrent.connectionCount).toBe(0);
  await honestLeecherCompletes(run.swarm, run.seeder);
  return run;
}

describe('hostile peer vs seeder: framing', () => {
  it('length prefix 0xFFFFFFFF: closed as soon as the 4 bytes arrive, nothing more needed', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    run.attacker.sendRaw(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    // One network latency (1 ms) and one delivery: no body byte was ever sent, so nothing could have waited on it.
    await run.swarm.clock.advanceAsync(3);
    expect(run.attacker.closed).toBe(true);
    expect(attackerCloses(run.closes)).toEqual(['message-too-long']);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });

  it('length prefix just over the 1 MiB message limit is refused before any body arrives', async () => {
    await expectClosedFor(Uint8Array.of(0x00, 0x10, 0x00, 0x02, 7), 'message-too-long');
  });

  it.each([
    ['CHOKE with a payload byte', frame([0, 0])],
    ['INTERESTED with a payload byte', frame([2, 0])],
    ['HAVE with 3 bytes', frame([4, 0, 0, 0])],
    ['HAVE with 5 bytes', frame([4, 0, 0, 0, 0, 0])],
    ['REQUEST with 12 bytes', frame([6, ...u32(0), ...u32(0), 0, 0, 0x40])],
    ['CANCEL with 13 bytes', frame([8, ...u32(0), ...u32(0), ...u32(16384), 0])],
    ['PORT with 3 bytes', frame([9, 0x1a, 0xe1, 0])],
    ['PIECE shorter than its 8-byte header', frame([7, 0, 0, 0, 0, 0, 0, 0])],
  ])('fixed-size message of the wrong size (%s): closed as a protocol error', async (_name, bytes) => {
    await expectClosedFor(bytes, 'protocol-error');
  });

  it('HAVE ALL with a payload byte (fast peer): closed as a protocol error', async () => {
    await expectClosedFor(frame([0x0e, 1]), 'protocol-error', { fast: true });
  });

  it('unknown message ids (with and without payload, even 1000 bytes) are skipped and the peer still served', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    const { attacker, seeder } = run;
    attacker.sendRaw(frame([0x0a]));
    attacker.sendRaw(frame([0x15, 1, 2, 3]));
    attacker.sendRaw(frame([0xff, ...new Array<number>(1000).fill(0xab)]));
    attacker.send({ type: 'interested' });
    await run.swarm.clock.runUntil(() => attacker.count('unchoke') > 0, { maxMs: 1000 });
    attacker.send({ type: 'request', piece: 1, begin: 16384, length: 16384 });
    await run.swarm.clock.runUntil(() => attacker.count('piece') > 0, { maxMs: 1000 });
    expect(attacker.received.find((m) => m.type === 'piece')).toEqual({
      type: 'piece',
      piece: 1,
      begin: 16384,
      length: 16384,
    });
    expect(attacker.closed).toBe(false);
    expect(run.closes).toEqual([]);
    expect(seeder.torrent.connectionCount).toBe(1);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });
});

describe('hostile peer vs seeder: BITFIELD and HAVE', () => {
  it('BITFIELD of the wrong length (2 bytes for 6 pieces): closed', async () => {
    await expectClosedFor(frame([5, 0, 0]), 'protocol-error');
  });

  it('BITFIELD of zero bytes: closed', async () => {
    await expectClosedFor(frame([5]), 'protocol-error');
  });

  it('BITFIELD with a spare bit set past the last piece: closed', async () => {
    await expectClosedFor(frame([5, 0b0000_0001]), 'protocol-error');
  });

  it('a second BITFIELD (aria2 sends one after HAVE NONE): its new pieces count as HAVEs, the peer is kept', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    const { attacker, seeder } = run;
    attacker.sendRaw(Uint8Array.of(...frame([5, 0]), ...frame([5, 0b1000_0000])));
    await run.swarm.clock.runUntil(() => [...seeder.torrent.peers.values()].some((p) => p.peerHas?.get(0)), {
      maxMs: 1000,
    });
    expect(attacker.closed).toBe(false);
    expect(run.closes).toEqual([]);
  });

  it('a late BITFIELD of the wrong length: closed', async () => {
    await expectClosedFor(Uint8Array.of(...frame([2]), ...frame([5, 0, 0])), 'protocol-error');
  });

  it('a late BITFIELD with a spare bit set: closed', async () => {
    await expectClosedFor(Uint8Array.of(...frame([2]), ...frame([5, 0b0000_0001])), 'protocol-error');
  });

  it.each([
    ['the piece count', PIECE_COUNT],
    ['2^32 - 1', 0xffffffff],
  ])('HAVE beyond the last piece (%s): closed', async (_name, piece) => {
    await expectClosedFor(frame([4, ...u32(piece)]), 'protocol-error');
  });
});

describe('hostile peer vs seeder: BEP 6 messages without the Fast bit', () => {
  it.each([
    ['HAVE ALL', frame([0x0e])],
    ['HAVE NONE', frame([0x0f])],
    ['REJECT REQUEST', frame([0x10, ...u32(0), ...u32(0), ...u32(16384)])],
    ['ALLOWED FAST', frame([0x11, ...u32(0)])],
  ])('%s from a peer that did not set the Fast bit: closed', async (_name, bytes) => {
    await expectClosedFor(bytes, 'protocol-error');
  });
});
