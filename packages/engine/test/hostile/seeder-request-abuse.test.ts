/**
 * Hostile peers against a bitloom seeder, part 2: REQUEST abuse (BEP 3, BEP 6). Out-of-range, oversized and empty
 * requests close the peer; requests while choked are dropped silently without Fast and rejected with Fast; a burst
 * of 100,000 requests never queues more than `maxIncomingRequestsPerPeer`, and the seeder keeps serving others.
 */
import { defaultSettings, type PeerConnection } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedPeer } from '../helpers/scripted-peer.js';
import type { Swarm, SwarmPeer } from '../swarm/swarm-fixture.js';
import {
  ATTACKER_HOST,
  attackerCloses,
  honestLeecherCompletes,
  KiB,
  LAST_PIECE_LENGTH,
  PIECE_COUNT,
  PIECE_LENGTH,
  seederUnderAttack,
} from './hostile-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

const BLOCK = 16 * KiB;

/** Sends INTERESTED and waits for the seeder's UNCHOKE. */
async function getUnchoked(run: { swarm: Swarm; attacker: ScriptedPeer }): Promise<void> {
  run.attacker.send({ type: 'interested' });
  await run.swarm.clock.runUntil(() => run.attacker.count('unchoke') > 0, { maxMs: 1000 });
}

/** The seeder's connection object for the attacker (to read its request queue). */
function attackerConnection(seeder: SwarmPeer) {
  return [...seeder.torrent.peers.values()].find((p) => p.remoteAddress === ATTACKER_HOST);
}

/**
 * Tracks the deepest the connection's incoming request queue ever got. The queue fills and empties inside one
 * delivery of bytes, between two looks a test could take, so this wraps its `push` (a private field: test-only).
 */
function watchQueueDepth(peer: PeerConnection): { deepest: number } {
  const seen = { deepest: 0 };
  const queue = Reflect.get(peer, 'incomingRequests') as unknown[];
  const push = queue.push.bind(queue);
  queue.push = (...items: unknown[]) => {
    const length = push(...items);
    seen.deepest = Math.max(seen.deepest, length);
    return length;
  };
  return seen;
}

describe('hostile peer vs seeder: requests out of bounds', () => {
  it.each([
    ['piece index = piece count', PIECE_COUNT, 0, BLOCK],
    ['piece index 2^32 - 1', 0xffffffff, 0, BLOCK],
    ['begin past the end of a piece', 0, PIECE_LENGTH, BLOCK],
    ['a block running past the short last piece', PIECE_COUNT - 1, 0, BLOCK],
    ['begin + length past 2^32 (no wrap-around)', 0, 0xffffc000, BLOCK],
    ['oversized: 32 KiB', 0, 0, 32 * KiB],
    ['oversized: 16 KiB + 1', 0, 0, BLOCK + 1],
    ['zero-length', 0, 0, 0],
  ])('REQUEST %s: closed, nothing served', async (_name, piece, begin, length) => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    await getUnchoked(run);
    run.attacker.send({ type: 'request', piece, begin, length });
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
    expect(attackerCloses(run.closes)).toEqual(['protocol-error']);
    expect(run.attacker.count('piece')).toBe(0);
    expect(run.seeder.torrent.status().uploadedBytes).toBe(0);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });

  it('REQUEST for exactly the short last piece is served (the bound is the piece size, not 16 KiB)', async () => {
    const run = await seederUnderAttack();
    swarm = run.swarm;
    await getUnchoked(run);
    run.attacker.send({ type: 'request', piece: PIECE_COUNT - 1, begin: 0, length: LAST_PIECE_LENGTH });
    await run.swarm.clock.runUntil(() => run.attacker.count('piece') > 0, { maxMs: 1000 });
    expect(run.closes).toEqual([]);
  });
});

describe('hostile peer vs seeder: requests while choked', () => {
  it('REQUEST while choked, without Fast: ignored (no PIECE, no REJECT, not queued, not closed)', async () => {
    const run = await seederUnderAttack({ attacker: { fast: false } });
    swarm = run.swarm;
    const { attacker, seeder } = run;
    for (let block = 0; block < 4; block++) {
      attacker.send({ type: 'request', piece: 0, begin: block * BLOCK, length: BLOCK });
    }
    await run.swarm.clock.advanceAsync(1000);
    expect(attacker.count('piece')).toBe(0);
    expect(attacker.count('reject-request')).toBe(0);
    expect(attackerConnection(seeder)?.incomingRequestCount).toBe(0);
    expect(attacker.closed).toBe(false);
    // Once unchoked, the same peer is served normally: the ignored requests did not poison anything.
    await getUnchoked(run);
    attacker.send({ type: 'request', piece: 0, begin: 0, length: BLOCK });
    await run.swarm.clock.runUntil(() => attacker.count('piece') === 1, { maxMs: 1000 });
    await run.swarm.clock.advanceAsync(100);
    expect(attacker.count('piece')).toBe(1);
    await honestLeecherCompletes(run.swarm, seeder);
  });

  it('REQUEST while choked, with Fast: each one rejected with the same range, nothing served', async () => {
    const run = await seederUnderAttack({ attacker: { fast: true } });
    swarm = run.swarm;
    const { attacker } = run;
    const asked = [0, 1, 2, 3].map((block) => ({ piece: 2, begin: block * BLOCK, length: BLOCK }));
    for (const r of asked) attacker.send({ type: 'request', ...r });
    await run.swarm.clock.runUntil(() => attacker.count('reject-request') === 4, { maxMs: 1000 });
    const rejects = attacker.received.filter((m) => m.type === 'reject-request');
    expect(rejects).toEqual(asked.map((r) => ({ type: 'reject-request', ...r })));
    expect(attacker.count('piece')).toBe(0);
    expect(attacker.closed).toBe(false);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });
});

describe('hostile peer vs seeder: request floods', () => {
  const BURST = 100_000;
  const queueLimit = defaultSettings().maxIncomingRequestsPerPeer;

  /** 100,000 valid block requests, cycling over every block of the torrent, in one write. */
  function burst(): Uint8Array {
    const blocks: { piece: number; begin: number; length: number }[] = [];
    for (let piece = 0; piece < PIECE_COUNT - 1; piece++) {
      for (let begin = 0; begin < PIECE_LENGTH; begin += BLOCK) blocks.push({ piece, begin, length: BLOCK });
    }
    const out = new Uint8Array(BURST * 17);
    const view = new DataView(out.buffer);
    for (let i = 0; i < BURST; i++) {
      const r = blocks[i % blocks.length]!;
      const at = i * 17;
      view.setUint32(at, 13);
      out[at + 4] = 6;
      view.setUint32(at + 5, r.piece);
      view.setUint32(at + 9, r.begin);
      view.setUint32(at + 13, r.length);
    }
    return out;
  }

  it.each([
    ['with Fast', true],
    ['without Fast', false],
  ])(
    '100,000 REQUESTs in one burst (%s): the queue never exceeds the limit, the flooder is closed, an honest leecher completes',
    async (_name, fast) => {
      const run = await seederUnderAttack({ attacker: { fast } });
      swarm = run.swarm;
      const { attacker, seeder } = run;
      await getUnchoked(run);
      const queueDepth = watchQueueDepth(attackerConnection(seeder)!);
      attacker.sendRaw(burst());
      const honest = await run.swarm.addLeecher({}, [seeder]);
      await run.swarm.clock.runUntil(() => honest.torrent.complete && attacker.closed, { maxMs: 120_000 });
      await run.swarm.clock.advanceAsync(100);
      expect(queueDepth.deepest).toBe(queueLimit);
      expect(attackerCloses(run.closes)).toEqual(['protocol-error']);
      expect(run.closes[0]?.detail).toMatch(/request flood/);
      // One queue's worth was served or being served; one queue's worth refused; then the peer was closed.
      expect(attacker.count('piece')).toBeLessThanOrEqual(queueLimit + 1);
      expect(attacker.count('reject-request')).toBe(fast ? queueLimit : 0);
    },
  );

  it('a peer that overflows the queue by a little (520 requests at once, Fast) gets 20 REJECTs and stays', async () => {
    const run = await seederUnderAttack({ attacker: { fast: true } });
    swarm = run.swarm;
    const { attacker } = run;
    await getUnchoked(run);
    // 521 requests: the first leaves the queue at once for its disk read, 500 fill the queue, 20 overflow.
    attacker.sendRaw(burst().subarray(0, 521 * 17));
    await run.swarm.clock.runUntil(() => attacker.count('piece') + attacker.count('reject-request') === 521, {
      maxMs: 10_000,
    });
    expect(attacker.count('reject-request')).toBe(20);
    expect(attacker.closed).toBe(false);
    expect(run.closes).toEqual([]);
  });

  it('NOT INTERESTED right after REQUESTs (Fast) while a block is being read: every request served or rejected', async () => {
    const run = await seederUnderAttack({ attacker: { fast: true } });
    swarm = run.swarm;
    const { attacker } = run;
    await getUnchoked(run);
    // One write: the first request is already being read from disk when NOT INTERESTED makes the seeder choke.
    attacker.sendRaw(Uint8Array.of(...burst().subarray(0, 3 * 17), 0, 0, 0, 1, 3 /* NOT INTERESTED */));
    await run.swarm.clock.advanceAsync(1000);
    expect(attacker.count('choke')).toBe(1);
    expect(attacker.count('piece') + attacker.count('reject-request')).toBe(3);
    expect(attacker.closed).toBe(false);
  });

  it('100,000 REQUESTs with Fast from a peer that never reads: the seeder does not buffer the rejects without bound', async () => {
    const run = await seederUnderAttack({ attacker: { fast: true } });
    swarm = run.swarm;
    const { attacker, seeder } = run;
    await getUnchoked(run);
    attacker.pauseReading();
    const bytes = burst();
    // Sent in slices, so the seeder reads while its replies pile up unread.
    for (let at = 0; at < bytes.length; at += 64 * KiB) attacker.sendRaw(bytes.subarray(at, at + 64 * KiB));
    let mostBuffered = 0;
    await run.swarm.clock.runUntil(
      () => {
        const end = run.swarm.network
          .connections(seeder.host)
          .find((c) => c.remoteAddress === ATTACKER_HOST && !c.closed);
        mostBuffered = Math.max(mostBuffered, end?.bufferedAmount ?? 0);
        return end === undefined || run.swarm.clock.now() > 10_000;
      },
      { maxMs: 20_000, stepMs: 10 },
    );
    const limit = seeder.session.settings.maxUploadQueueBytesPerPeer;
    expect(mostBuffered).toBeLessThanOrEqual(limit + 2 * BLOCK);
    expect(attackerCloses(run.closes)).toEqual(['protocol-error']);
    await honestLeecherCompletes(run.swarm, seeder);
  });
});
