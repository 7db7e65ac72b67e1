/**
 * Hostile peers against a bitloom leecher: a scripted "seeder" answers our requests with blocks that are too big,
 * unrequested, at the wrong offset, of the wrong length, or beyond the last piece (BEP 3 PIECE). Blocks that answer
 * no outstanding request are counted as wasted and never reach the piece buffer or the disk; impossible ones close
 * the peer. An honest seeder then joins and the download completes with the exact payload and no hash failure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Swarm } from '../swarm/swarm-fixture.js';
import {
  attackerCloses,
  honestSeederJoins,
  KiB,
  type LeecherUnderAttack,
  leecherUnderAttack,
  PIECE_COUNT,
  PIECE_LENGTH,
} from './hostile-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

const BLOCK = 16 * KiB;
/** Bytes that would break the piece's hash if they were ever stored. */
const bogus = (length: number) => new Uint8Array(length).fill(0xee);

/** What the leecher had on disk and in counters before the attack. */
function snapshot(run: LeecherUnderAttack) {
  const status = run.leecher.torrent.status();
  return {
    writes: run.leecher.platform.storage.stats.writes,
    wasted: status.wastedBytes,
    downloaded: status.downloadedBytes,
  };
}

/** The attack changed nothing but the wasted counter (by `wasted` bytes), and the attacker is still connected. */
async function expectIgnoredAsWaste(
  run: LeecherUnderAttack,
  before: ReturnType<typeof snapshot>,
  wasted: number,
) {
  await run.swarm.clock.advanceAsync(50);
  const status = run.leecher.torrent.status();
  expect(status.wastedBytes - before.wasted).toBe(wasted);
  expect(status.downloadedBytes).toBe(before.downloaded);
  expect(status.verifiedBytes).toBe(0);
  expect(run.leecher.platform.storage.stats.writes).toBe(before.writes);
  expect(run.attacker.closed).toBe(false);
  expect(run.closes).toEqual([]);
}

describe('hostile seeder vs leecher: bad PIECE messages', () => {
  it('PIECE of 32 KiB (more than the 16 KiB block we asked for): closed, nothing stored', async () => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const before = snapshot(run);
    const asked = run.attacker.requests()[0]!;
    run.attacker.sendBlock(asked.piece, asked.begin, bogus(2 * BLOCK));
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
    expect(attackerCloses(run.closes)).toEqual(['protocol-error']);
    expect(run.leecher.torrent.status().downloadedBytes).toBe(before.downloaded);
    expect(run.leecher.platform.storage.stats.writes).toBe(before.writes);
    await honestSeederJoins(run.swarm, run.leecher);
  });

  it('PIECE we never requested: counted as wasted, never stored, peer kept', async () => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const before = snapshot(run);
    const asked = new Set(run.attacker.requests().map((r) => `${r.piece}:${r.begin}`));
    let unasked: { piece: number; begin: number } | undefined;
    for (let piece = PIECE_COUNT - 2; piece >= 0 && !unasked; piece--) {
      for (let begin = 0; begin < PIECE_LENGTH && !unasked; begin += BLOCK) {
        if (!asked.has(`${piece}:${begin}`)) unasked = { piece, begin };
      }
    }
    expect(unasked).toBeDefined();
    run.attacker.sendBlock(unasked!.piece, unasked!.begin, bogus(BLOCK));
    await expectIgnoredAsWaste(run, before, BLOCK);
    await honestSeederJoins(run.swarm, run.leecher);
  });

  it.each([
    ['one byte past the requested offset', 1],
    ['half a block past the requested offset', BLOCK / 2],
  ])('PIECE at a wrong offset (%s): counted as wasted, never stored', async (_name, shift) => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const before = snapshot(run);
    // A full-size block of a full-size piece, so the shifted block still lies inside the piece.
    const asked = run.attacker.requests().find((r) => r.piece < PIECE_COUNT - 1)!;
    const length = Math.min(BLOCK, PIECE_LENGTH - asked.begin - shift);
    run.attacker.sendBlock(asked.piece, asked.begin + shift, bogus(length));
    await expectIgnoredAsWaste(run, before, length);
    await honestSeederJoins(run.swarm, run.leecher);
  });

  it('PIECE at the requested offset but shorter than requested: counted as wasted, never stored', async () => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const before = snapshot(run);
    const asked = run.attacker.requests()[0]!;
    run.attacker.sendBlock(asked.piece, asked.begin, bogus(asked.length - 1));
    await expectIgnoredAsWaste(run, before, asked.length - 1);
    await honestSeederJoins(run.swarm, run.leecher);
  });

  it('the same block twice: the first counts, the duplicate is wasted', async () => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const asked = run.attacker.requests()[0]!;
    const payload = run.swarm.torrent.payload;
    const at = asked.piece * PIECE_LENGTH + asked.begin;
    const block = payload.subarray(at, at + asked.length);
    run.attacker.sendBlock(asked.piece, asked.begin, block);
    run.attacker.sendBlock(asked.piece, asked.begin, block);
    await run.swarm.clock.advanceAsync(50);
    const status = run.leecher.torrent.status();
    expect(status.downloadedBytes).toBe(asked.length);
    expect(status.wastedBytes).toBe(asked.length);
    expect(run.attacker.closed).toBe(false);
    await honestSeederJoins(run.swarm, run.leecher);
  });

  it.each([
    ['piece index = piece count', PIECE_COUNT, 0],
    ['begin past the end of the piece', 0, PIECE_LENGTH],
  ])('PIECE outside the torrent (%s): closed, nothing stored', async (_name, piece, begin) => {
    const run = await leecherUnderAttack();
    swarm = run.swarm;
    const before = snapshot(run);
    run.attacker.sendBlock(piece, begin, bogus(BLOCK));
    await run.swarm.clock.runUntil(() => run.attacker.closed, { maxMs: 1000 });
    expect(attackerCloses(run.closes)).toEqual(['protocol-error']);
    expect(run.leecher.platform.storage.stats.writes).toBe(before.writes);
    await honestSeederJoins(run.swarm, run.leecher);
  });
});
