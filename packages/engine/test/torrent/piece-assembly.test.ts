import { describe, expect, it } from 'vitest';
import { PieceAssembly } from '../../src/torrent/piece-assembly.js';

const PIECE = 1024;

describe('PieceAssembly', () => {
  it('reuses freed buffers, and keeps held plus pooled bytes within the budget', () => {
    const assembly = new PieceAssembly(4 * PIECE, PIECE);
    const entries = [0, 1, 2, 3].map((piece) => assembly.acquire(piece, PIECE));
    expect(assembly.overBudget).toBe(true);
    const buffers = entries.map((entry) => entry.data.buffer);
    for (const piece of [0, 1, 2, 3]) assembly.release(assembly.take(piece)!);
    expect(assembly.heldBytes).toBe(0);
    expect(assembly.poolBytes).toBe(4 * PIECE);
    const again = assembly.acquire(9, PIECE);
    expect(buffers).toContain(again.data.buffer);
    expect(assembly.heldBytes + assembly.poolBytes).toBe(4 * PIECE);
    // A buffer freed while the pool and the held pieces already fill the budget is let go.
    const extra = [10, 11, 12, 13].map((piece) => assembly.acquire(piece, PIECE));
    expect(assembly.heldBytes).toBe(5 * PIECE);
    assembly.release(assembly.take(10)!);
    expect(assembly.poolBytes).toBe(0);
    for (const entry of extra.slice(1)) assembly.release(assembly.take(entry.piece)!);
    assembly.release(assembly.take(9)!);
    expect(assembly.heldBytes).toBe(0);
    expect(assembly.poolBytes).toBeLessThanOrEqual(4 * PIECE);
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
});
