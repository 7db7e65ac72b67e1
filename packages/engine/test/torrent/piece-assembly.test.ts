import { describe, expect, it } from 'vitest';
import { MAX_BUDGET_FACTOR, PieceAssembly, pieceBudget } from '../../src/torrent/piece-assembly.js';

const PIECE = 1024;

describe('PieceAssembly', () => {
  it('reuses freed buffers, so held plus pooled bytes never exceed the most held at once', () => {
    const assembly = new PieceAssembly(4 * PIECE, PIECE);
    const entries = [0, 1, 2, 3].map((piece) => assembly.acquire(piece, PIECE));
    expect(assembly.overBudget).toBe(true);
    const buffers = new Set(entries.map((entry) => entry.data.buffer));
    for (const piece of [0, 1, 2, 3]) assembly.release(assembly.take(piece)!);
    expect(assembly.heldBytes).toBe(0);
    expect(assembly.poolBytes).toBe(4 * PIECE);
    const again = assembly.acquire(9, PIECE);
    expect(buffers.has(again.data.buffer)).toBe(true);
    expect(assembly.heldBytes + assembly.poolBytes).toBe(4 * PIECE);
    // Held pieces overshoot the budget (pieces started before it was reached): one buffer more is allocated...
    const extra = [10, 11, 12, 13].map((piece) => assembly.acquire(piece, PIECE));
    expect(assembly.heldBytes).toBe(5 * PIECE);
    for (const entry of extra) buffers.add(entry.data.buffer);
    expect(buffers.size).toBe(5);
    // ...and every buffer freed while over the budget is kept, so the next pieces allocate nothing.
    assembly.release(assembly.take(10)!);
    expect(assembly.poolBytes).toBe(PIECE);
    const reused = assembly.acquire(14, PIECE);
    expect(buffers.has(reused.data.buffer)).toBe(true);
    for (const piece of [9, 11, 12, 13, 14]) assembly.release(assembly.take(piece)!);
    expect(assembly.heldBytes).toBe(0);
    // The pool alone stays within the budget: the fifth buffer is let go.
    expect(assembly.poolBytes).toBe(4 * PIECE);
    assembly.dropPool();
    expect(assembly.poolBytes).toBe(0);
  });

  it('counts a piece whose bytes were moved away (detached) by its size, not by its view', () => {
    const assembly = new PieceAssembly(4 * PIECE, PIECE);
    const entry = assembly.acquire(0, PIECE);
    structuredClone(entry.data.buffer, { transfer: [entry.data.buffer as ArrayBuffer] });
    expect(entry.data.length).toBe(0);
    assembly.release(assembly.take(0)!);
    expect(assembly.heldBytes).toBe(0);
    expect(assembly.poolBytes).toBe(0); // a detached view is not recycled
  });

  it('budgets the setting for one sending peer, half of it more for each further one, up to the cap', () => {
    const MIB = 1024 * 1024;
    expect(pieceBudget(32 * MIB, 0)).toBe(32 * MIB);
    expect(pieceBudget(32 * MIB, 1)).toBe(32 * MIB);
    expect(pieceBudget(32 * MIB, 3)).toBe(64 * MIB);
    expect(pieceBudget(32 * MIB, 50)).toBe(MAX_BUDGET_FACTOR * 32 * MIB);
    const assembly = new PieceAssembly(2 * PIECE, PIECE);
    assembly.acquire(0, PIECE);
    assembly.acquire(1, PIECE);
    expect(assembly.overBudget).toBe(true);
    assembly.budget = 3 * PIECE;
    expect(assembly.overBudget).toBe(false);
  });
});
