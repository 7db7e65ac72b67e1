import { describe, expect, it } from 'vitest';
import { type ChokerPeer, type ChokerState, chokeRound } from '../../src/choking/choker.js';
import { seededRandom } from '../pieces/fixtures.js';

const OLD = -1_000_000; // connected long ago: not a new peer

function peer(key: number, fields: Partial<ChokerPeer> = {}): ChokerPeer {
  return { key, interested: true, downloadRate: 0, uploadRate: 0, connectedAt: OLD, ...fields };
}

const sorted = (keys: Iterable<number>) => [...keys].sort((a, b) => a - b);

describe('chokeRound', () => {
  it('leeching: unchokes the 4 interested peers that send us the most, plus one optimistic', () => {
    const peers = [10, 50, 20, 60, 40, 30].map((rate, key) =>
      peer(key, { downloadRate: rate, uploadRate: 100 - rate }),
    );
    const { unchoked, state } = chokeRound({
      peers,
      seeding: false,
      now: 0,
      state: { optimisticSince: 0 },
      random: seededRandom(1),
    });
    const regular = [1, 3, 4, 5];
    expect(regular.every((key) => unchoked.has(key))).toBe(true);
    expect(unchoked.size).toBe(5);
    expect([0, 2]).toContain(state.optimistic);
    expect(unchoked.has(state.optimistic!)).toBe(true);
    expect(state.optimisticSince).toBe(0);
  });

  it('seeding: ranks by how fast we upload to them', () => {
    const peers = [10, 50, 20, 60, 40, 30].map((rate, key) =>
      peer(key, { downloadRate: 100 - rate, uploadRate: rate }),
    );
    const { unchoked, state } = chokeRound({
      peers,
      seeding: true,
      now: 0,
      state: { optimisticSince: 0 },
      random: seededRandom(1),
      regularSlots: 2,
    });
    expect(sorted(unchoked)).toEqual(sorted([3, 1, state.optimistic!]));
  });

  it('never regular-unchokes a peer that is not interested, however fast', () => {
    const peers = [
      peer(0, { interested: false, downloadRate: 1_000_000 }),
      peer(1, { downloadRate: 10 }),
      peer(2, { interested: false, downloadRate: 500_000 }),
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const { unchoked } = chokeRound({
        peers,
        seeding: false,
        now: 0,
        state: { optimisticSince: 0 },
        random: seededRandom(seed),
      });
      expect(sorted(unchoked)).toEqual([1]);
    }
  });

  it('a snubbed peer is not a regular unchoke but may be the optimistic one', () => {
    const peers = [peer(0, { snubbed: true, downloadRate: 1_000_000 }), peer(1), peer(2)];
    const { unchoked, state } = chokeRound({
      peers,
      seeding: false,
      now: 0,
      state: { optimisticSince: 0 },
      random: seededRandom(3),
      regularSlots: 2,
    });
    expect(sorted(unchoked)).toEqual([0, 1, 2]);
    expect(state.optimistic).toBe(0);
  });

  it('keeps the optimistic unchoke for 30 s, then rotates it to another choked peer', () => {
    const peers = [0, 1, 2, 3, 4, 5, 6].map((key) => peer(key, { downloadRate: key < 4 ? 1000 : 0 }));
    const random = seededRandom(9);
    let state: ChokerState = { optimisticSince: 0 };
    const round = (now: number) => {
      const decision = chokeRound({ peers, seeding: false, now, state, random });
      state = decision.state;
      return decision;
    };
    const first = round(0).state.optimistic!;
    expect([4, 5, 6]).toContain(first);
    expect(round(10_000).state).toEqual({ optimistic: first, optimisticSince: 0 });
    expect(round(29_999).state).toEqual({ optimistic: first, optimisticSince: 0 });
    const rotated = round(30_000);
    expect(rotated.state.optimistic).not.toBe(first);
    expect([4, 5, 6]).toContain(rotated.state.optimistic);
    expect(rotated.state.optimisticSince).toBe(30_000);
    expect(rotated.unchoked.has(first)).toBe(false);
  });

  it('replaces an optimistic peer at once when it loses interest or leaves', () => {
    const peers = [peer(0, { downloadRate: 5 }), peer(1), peer(2)];
    const lostInterest = chokeRound({
      peers: [peers[0]!, { ...peers[1]!, interested: false }, peers[2]!],
      seeding: false,
      now: 10_000,
      state: { optimistic: 1, optimisticSince: 0 },
      random: seededRandom(1),
      regularSlots: 1,
    });
    expect(lostInterest.state).toEqual({ optimistic: 2, optimisticSince: 10_000 });
    const left = chokeRound({
      peers: [peers[0]!, peers[2]!],
      seeding: false,
      now: 10_000,
      state: { optimistic: 1, optimisticSince: 0 },
      random: seededRandom(1),
      regularSlots: 1,
    });
    expect(sorted(left.unchoked)).toEqual([0, 2]);
  });

  it('favours newly connected peers 3:1 for the optimistic slot', () => {
    const now = 100_000;
    const peers = [
      peer(0, { downloadRate: 10 }), // the one regular slot
      peer(1),
      peer(2),
      peer(3),
      peer(4, { connectedAt: now - 5_000 }), // new
    ];
    const random = seededRandom(42);
    const chosen = new Map<number, number>();
    const rounds = 3000;
    for (let round = 0; round < rounds; round++) {
      const { state } = chokeRound({
        peers,
        seeding: false,
        now,
        state: { optimisticSince: 0 },
        random,
        regularSlots: 1,
      });
      chosen.set(state.optimistic!, (chosen.get(state.optimistic!) ?? 0) + 1);
    }
    // Weights 3 : 1 : 1 : 1 → the new peer half the time, each old one a sixth.
    expect(chosen.get(4)! / rounds).toBeGreaterThan(0.45);
    expect(chosen.get(4)! / rounds).toBeLessThan(0.55);
    for (const key of [1, 2, 3]) expect(chosen.get(key)! / rounds).toBeGreaterThan(0.12);
    expect(chosen.has(0)).toBe(false);
  });

  it('with fewer interested peers than slots, unchokes them all and has no optimistic peer', () => {
    const { unchoked, state } = chokeRound({
      peers: [peer(0), peer(1), peer(2, { interested: false })],
      seeding: false,
      now: 5,
      state: { optimisticSince: 0 },
      random: seededRandom(1),
    });
    expect(sorted(unchoked)).toEqual([0, 1]);
    expect(state).toEqual({ optimisticSince: 5 });
  });

  it('breaks rate ties at random (all new peers at 0 B/s)', () => {
    const peers = [0, 1, 2, 3, 4, 5, 6, 7].map((key) => peer(key));
    const regularSets = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        sorted(
          chokeRound({
            peers,
            seeding: false,
            now: 0,
            state: { optimisticSince: 0 },
            random: seededRandom(seed),
          }).unchoked,
        ).join(),
      ),
    );
    expect(regularSets.size).toBeGreaterThan(1);
  });
});
