/**
 * Model-based property test: random sequences of picks, arrivals, aborts, hash results, HAVEs and priority
 * changes, checked against a plain model of which blocks are in flight. The picker must never hand out a block
 * twice outside endgame, never a piece we have, never a priority 0 piece, never a piece the peer lacks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/indices.js';
import { Bitfield } from '../../src/pieces/bitfield.js';
import { PiecePicker } from '../../src/pieces/piece-picker.js';
import { seededRandom } from './fixtures.js';

const operation = fc.record({
  kind: fc.integer({ min: 0, max: 10 }),
  a: fc.nat(1000),
  b: fc.nat(1000),
  c: fc.nat(1000),
});

const layout = fc
  .record({
    pieceCount: fc.integer({ min: 1, max: 8 }),
    pieceLength: fc.constantFrom(BLOCK_SIZE, 3 * BLOCK_SIZE, 40_000),
    lastShortBy: fc.nat(BLOCK_SIZE * 2),
  })
  .map(({ pieceCount, pieceLength, lastShortBy }) => ({
    pieceCount,
    pieceLength,
    totalLength: pieceCount * pieceLength - Math.min(lastShortBy, pieceLength - 1),
  }));

const PEERS = 4;

describe('PiecePicker property', () => {
  it('never hands out a block twice outside endgame, nor a piece we have, lack priority for, or the peer lacks', () => {
    fc.assert(
      fc.property(
        layout,
        fc.integer(),
        fc.nat(3),
        fc.array(operation, { minLength: 10, maxLength: 150, size: 'max' }),
        (shape, seed, randomFirst, operations) => {
          const picker = new PiecePicker({
            ...shape,
            random: seededRandom(seed),
            randomFirstPieces: randomFirst,
          });
          const { pieceCount } = shape;
          // Peers 0 and 1 are seeds, peer 2 has the even pieces, peer 3 starts empty; HAVEs add more.
          const peerHas = Array.from({ length: PEERS }, (_, peer) => {
            const bitfield = peer <= 1 ? Bitfield.full(pieceCount) : new Bitfield(pieceCount);
            if (peer === 2) for (let p = 0; p < pieceCount; p += 2) bitfield.set(p);
            picker.addPeerBitfield(bitfield);
            return bitfield;
          });
          const requested = new Map<string, Set<number>>(); // "piece:block" → requesters
          const received = new Set<string>();
          const had = new Set<number>();
          const key = (piece: number, block: number) => `${piece}:${block}`;
          const pieceDone = (piece: number) => {
            for (let block = 0; block < picker.blocksInPiece(piece); block++) {
              if (!received.has(key(piece, block))) return false;
            }
            return true;
          };

          for (const { kind, a, b, c } of operations) {
            const peer = a % PEERS;
            const piece = b % pieceCount;
            if (kind <= 2) {
              const picks = picker.pickBlocks(peerHas[peer]!, 1 + (c % 8), peer);
              for (const pick of picks) {
                const label = key(pick.piece, pick.block);
                expect(requested.has(label), `${label} handed out twice`).toBe(false);
                expect(received.has(label)).toBe(false);
                expect(had.has(pick.piece)).toBe(false);
                expect(picker.piecePriority(pick.piece)).toBeGreaterThan(0);
                expect(peerHas[peer]!.get(pick.piece)).toBe(true);
                expect(pick.begin).toBe(pick.block * BLOCK_SIZE);
                expect(pick.length).toBe(picker.blockLength(pick.piece, pick.block));
                requested.set(label, new Set([peer]));
              }
            } else if (kind === 3) {
              // Every block in flight that this peer may duplicate is a candidate: the picker hands out that
              // many up to the limit (a skipped scan must never hide one).
              const limit = 1 + (c % 4);
              const candidates = [...requested].filter(([label, requesters]) => {
                const p = Number(label.split(':')[0]);
                return !requesters.has(peer) && picker.piecePriority(p) > 0 && peerHas[peer]!.get(p);
              }).length;
              const picks = picker.pickEndgameBlocks(peerHas[peer]!, limit, peer);
              expect(picks.length).toBe(Math.min(limit, candidates));
              for (const pick of picks) {
                const requesters = requested.get(key(pick.piece, pick.block));
                expect(requesters).toBeDefined();
                expect(requesters!.has(peer)).toBe(false);
                expect(peerHas[peer]!.get(pick.piece)).toBe(true);
                requesters!.add(peer);
              }
            } else if (kind >= 4 && kind <= 6) {
              const everything = [...requested.entries()];
              // Half the aborts go to endgame duplicates when there are any: that is where bookkeeping slips.
              const duplicates = everything.filter(([, requesters]) => requesters.size > 1);
              const inFlight = kind === 6 && c % 2 === 0 && duplicates.length > 0 ? duplicates : everything;
              if (inFlight.length === 0) continue;
              const [label, requesters] = inFlight[c % inFlight.length]!;
              const [p, block] = label.split(':').map(Number) as [number, number];
              const who = [...requesters][a % requesters.size]!;
              if (kind !== 6) {
                const receipt = picker.blockReceived(p, block, who);
                expect(receipt.accepted).toBe(true);
                expect([...receipt.otherRequesters].sort()).toEqual(
                  [...requesters].filter((r) => r !== who).sort(),
                );
                requested.delete(label);
                received.add(label);
                expect(receipt.pieceComplete).toBe(pieceDone(p));
                expect(picker.blockReceived(p, block, who).accepted).toBe(false);
              } else {
                picker.requestAborted(p, block, who);
                requesters.delete(who);
                if (requesters.size === 0) requested.delete(label);
              }
            } else if (kind === 7) {
              const complete = [...Array(pieceCount).keys()].filter((p) => !had.has(p) && pieceDone(p));
              if (complete.length === 0) continue;
              const piece = complete[b % complete.length]!;
              for (let block = 0; block < picker.blocksInPiece(piece); block++)
                received.delete(key(piece, block));
              if (c % 3 === 0) {
                picker.pieceFailed(piece);
              } else {
                picker.pieceVerified(piece);
                had.add(piece);
              }
            } else if (kind === 8) {
              if (!peerHas[peer]!.get(piece)) {
                peerHas[peer]!.set(piece);
                picker.addPeerHave(piece);
              }
            } else if (kind === 9) {
              picker.setPiecePriority(piece, c % 8 < 2 ? 0 : c % 8);
            } else {
              picker.setSequential(c % 2 === 0);
            }
            expect(picker.haveCount).toBe(had.size);
          }

          // Endgame means: something wanted is missing and every block of it is in flight or in.
          let wantedMissing = 0;
          let allInFlight = true;
          for (let p = 0; p < pieceCount; p++) {
            if (had.has(p) || picker.piecePriority(p) === 0) continue;
            wantedMissing++;
            for (let block = 0; block < picker.blocksInPiece(p); block++) {
              const label = key(p, block);
              if (!requested.has(label) && !received.has(label)) allInFlight = false;
            }
          }
          expect(picker.isEndgame()).toBe(wantedMissing > 0 && allInFlight);
          expect(picker.isComplete()).toBe(wantedMissing === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
