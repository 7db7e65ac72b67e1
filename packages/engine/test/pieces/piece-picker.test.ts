import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/indices.js';
import { Bitfield } from '../../src/pieces/bitfield.js';
import { PiecePicker } from '../../src/pieces/piece-picker.js';
import { bits, blocksOf, downloadPiece, piecesOf, seededRandom, setupPicker } from './fixtures.js';

const A = 1;
const B = 2;

describe('PiecePicker: order', () => {
  it('picks the rarest piece first', () => {
    const picker = setupPicker({ availability: '3142' });
    expect(piecesOf(picker.pickBlocks('all', 16, A))).toEqual([1, 3, 0, 2]);
  });

  it('takes whole pieces in block order', () => {
    const picker = setupPicker({ availability: '21' });
    expect(blocksOf(picker.pickBlocks('all', 6, A))).toEqual(['1:0', '1:1', '1:2', '1:3', '0:0', '0:1']);
  });

  it('breaks ties with the seeded random: same seed, same order; other seeds, other orders', () => {
    const order = (seed: number) =>
      piecesOf(setupPicker({ availability: '11111111', seed }).pickBlocks('all', 32, A));
    expect(order(7)).toEqual(order(7));
    expect([...order(7)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const distinctOrders = new Set([1, 2, 3, 4, 5, 6].map((seed) => order(seed).join()));
    expect(distinctOrders.size).toBeGreaterThan(1);
  });

  it('extent affinity: finishes the extent of the last piece started, lowest first, among equally rare pieces', () => {
    const extentBytes = 4 * 4 * BLOCK_SIZE; // four pieces of four blocks
    for (const seed of [1, 2, 3]) {
      // One piece per pick, as a peer refilling its pipeline would ask.
      const picker = setupPicker({ availability: '1'.repeat(16), seed, extentBytes });
      const order: number[] = [];
      for (let pick = 0; pick < 16; pick++) order.push(...piecesOf(picker.pickBlocks('all', 4, A)));
      expect([...order].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
      for (let run = 0; run < 16; run += 4) {
        const first = order[run]!;
        expect(first % 4).toBe(0);
        expect(order.slice(run, run + 4)).toEqual([first, first + 1, first + 2, first + 3]);
      }
      // All at once: the same runs.
      const allAtOnce = piecesOf(
        setupPicker({ availability: '1'.repeat(16), seed, extentBytes }).pickBlocks('all', 64, A),
      );
      expect(allAtOnce).toEqual(order);
    }
  });

  it('extent affinity never overrides rarity, nor gives a peer a piece it lacks', () => {
    const extentBytes = 4 * 4 * BLOCK_SIZE;
    const picker = setupPicker({ availability: '22222122', extentBytes });
    expect(piecesOf(picker.pickBlocks('all', 32, A))).toEqual([5, 4, 6, 7, 0, 1, 2, 3]);
    const lacking = setupPicker({ availability: '11111111', extentBytes });
    const picked = piecesOf(lacking.pickBlocks(bits('x.x.x.xx'), 32, A));
    expect([...picked].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 7]);
  });

  it('finishes a started (partial) piece before starting a rarer one', () => {
    const picker = setupPicker({ availability: '22' });
    const first = picker.pickBlocks('all', 2, A);
    const started = first[0]!.piece;
    const other = 1 - started;
    // The other piece becomes rarer than the started one…
    picker.addPeerHave(started);
    picker.addPeerHave(started);
    // …but the started piece is finished first.
    expect(blocksOf(picker.pickBlocks('all', 3, B))).toEqual([`${started}:2`, `${started}:3`, `${other}:0`]);
  });

  it('picks higher priority first, and never a piece of priority 0', () => {
    const picker = setupPicker({ availability: '21911', priority: '10701' });
    expect(piecesOf(picker.pickBlocks('all', 100, A))).toEqual([2, 4, 0]);
    expect(picker.piecePriority(1)).toBe(0);
  });

  it('a priority raised on a partial piece does not overtake a higher priority untouched piece', () => {
    const picker = setupPicker({ availability: '11', priority: '11' });
    picker.pickBlocks(bits('x.'), 1, A);
    picker.setPiecePriority(1, 5);
    expect(blocksOf(picker.pickBlocks('all', 5, B))).toEqual(['1:0', '1:1', '1:2', '1:3', '0:1']);
  });

  it('never gives a peer a piece it does not have', () => {
    const picker = setupPicker({ availability: '1111' });
    expect(piecesOf(picker.pickBlocks(bits('.x.x'), 100, A)).sort()).toEqual([1, 3]);
    expect(picker.pickBlocks(bits('....'), 100, B)).toEqual([]);
  });

  it('never picks a piece we have', () => {
    const picker = setupPicker({ availability: '1111', have: 'x.x.' });
    expect(piecesOf(picker.pickBlocks('all', 100, A)).sort()).toEqual([1, 3]);
  });

  it('picks random pieces, not the rarest, until randomFirstPieces are had', () => {
    const firstPick = (seed: number, have: string) =>
      setupPicker({ availability: '99999999919', have, seed, randomFirstPieces: 4 }).pickBlocks(
        'all',
        1,
        A,
      )[0]!.piece;
    const randomPhase = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => firstPick(seed, 'xxx........')));
    expect(randomPhase.size).toBeGreaterThan(2);
    for (const seed of [1, 2, 3, 4]) expect(firstPick(seed, 'xxxx.......')).toBe(9);
  });

  it('sequential mode starts pieces by index within a priority', () => {
    const picker = setupPicker({ availability: '31214', priority: '11112' });
    picker.setSequential(true);
    expect(piecesOf(picker.pickBlocks('all', 100, A))).toEqual([4, 0, 1, 2, 3]);
  });

  it('sequential mode comes back for a piece whose requests were aborted', () => {
    const picker = setupPicker({ availability: '1111' });
    picker.setSequential(true);
    expect(blocksOf(picker.pickBlocks('all', 4, A))).toEqual(['0:0', '0:1', '0:2', '0:3']);
    picker.pickBlocks('all', 4, A);
    for (let block = 0; block < 4; block++) picker.requestAborted(0, block, A);
    expect(piecesOf(picker.pickBlocks('all', 4, B))).toEqual([0]);
  });

  it('with BEP 6 allowed-fast pieces, picks only those', () => {
    const picker = setupPicker({ availability: '1111' });
    expect(piecesOf(picker.pickBlocks('all', 100, A, { fastAllowed: new Set([2, 3, 99]) })).sort()).toEqual([
      2, 3,
    ]);
  });

  it('startedOnly (piece memory at its budget) finishes started pieces and starts none', () => {
    const picker = setupPicker({ availability: '1111' });
    const first = picker.pickBlocks('all', 2, A);
    const started = first[0]!.piece;
    expect(blocksOf(picker.pickBlocks('all', 100, B, { startedOnly: true }))).toEqual([
      `${started}:2`,
      `${started}:3`,
    ]);
    expect(picker.pickBlocks('all', 100, B, { startedOnly: true })).toEqual([]);
    const fast = new Set([0, 1, 2, 3]);
    expect(picker.pickBlocks('all', 100, B, { startedOnly: true, fastAllowed: fast })).toEqual([]);
    expect(piecesOf(picker.pickBlocks('all', 100, B)).length).toBe(3); // without it the rest start
  });

  it('counts HAVE ALL peers in availability without changing the order', () => {
    const picker = setupPicker({ availability: '21' });
    picker.addSeed();
    expect([picker.availability(0), picker.availability(1)]).toEqual([3, 2]);
    expect(piecesOf(picker.pickBlocks('all', 8, A))).toEqual([1, 0]);
    picker.removeSeed();
    expect(picker.availability(0)).toBe(2);
  });

  it('counts peer bitfields in availability and removes them again', () => {
    const picker = setupPicker({ availability: '000' });
    picker.addPeerBitfield(bits('xx.'));
    picker.addPeerBitfield(bits('.x.'));
    expect([0, 1, 2].map((piece) => picker.availability(piece))).toEqual([1, 2, 0]);
    picker.removePeerBitfield(bits('xx.'));
    expect([0, 1, 2].map((piece) => picker.availability(piece))).toEqual([0, 1, 0]);
  });
});

describe('PiecePicker: layout', () => {
  it('gives a short last piece its own block count and a short last block', () => {
    const pieceLength = 4 * BLOCK_SIZE;
    const picker = new PiecePicker({
      pieceCount: 4,
      pieceLength,
      totalLength: 3 * pieceLength + BLOCK_SIZE + 100,
      random: seededRandom(1),
      randomFirstPieces: 0,
    });
    expect(picker.pieceSize(3)).toBe(BLOCK_SIZE + 100);
    expect(picker.blocksInPiece(3)).toBe(2);
    expect(picker.blocksInPiece(2)).toBe(4);
    const has = bits('...x');
    expect(picker.pickBlocks(has, 10, A)).toEqual([
      { piece: 3, block: 0, begin: 0, length: BLOCK_SIZE },
      { piece: 3, block: 1, begin: BLOCK_SIZE, length: 100 },
    ]);
  });

  it('handles a piece length that is not a power of two (40000 bytes)', () => {
    const picker = new PiecePicker({
      pieceCount: 3,
      pieceLength: 40_000,
      totalLength: 100_000,
      random: seededRandom(1),
    });
    expect([0, 1, 2].map((piece) => picker.pieceSize(piece))).toEqual([40_000, 40_000, 20_000]);
    expect([0, 1, 2].map((piece) => picker.blocksInPiece(piece))).toEqual([3, 3, 2]);
    expect([0, 1, 2].map((block) => picker.blockLength(0, block))).toEqual([16_384, 16_384, 7_232]);
    expect([0, 1].map((block) => picker.blockLength(2, block))).toEqual([16_384, 3_616]);
    const requests = picker.pickBlocks('all', 100, A);
    expect(requests).toHaveLength(8);
    const bytes = requests.reduce((sum, request) => sum + request.length, 0);
    expect(bytes).toBe(100_000);
  });

  it('rejects a layout that is not one torrent, and a bitfield of the wrong size', () => {
    const make = (pieceCount: number, pieceLength: number, totalLength: number) => () =>
      new PiecePicker({ pieceCount, pieceLength, totalLength, random: seededRandom(1) });
    expect(make(3, 40_000, 100_000)).not.toThrow();
    expect(make(2, 40_000, 100_000)).toThrow(expect.objectContaining({ code: 'PICKER_BAD_LAYOUT' }));
    expect(make(1, 0, 10)).toThrow(expect.objectContaining({ code: 'PICKER_BAD_LAYOUT' }));
    const picker = setupPicker({ availability: '11' });
    expect(() => picker.addPeerBitfield(new Bitfield(3))).toThrow(
      expect.objectContaining({ code: 'PICKER_BITFIELD_LENGTH' }),
    );
    expect(() => picker.setPiecePriority(0, 8)).toThrow(
      expect.objectContaining({ code: 'PICKER_BAD_PRIORITY' }),
    );
    expect(() => picker.addPeerHave(2)).toThrow(
      expect.objectContaining({ code: 'PICKER_PIECE_OUT_OF_RANGE' }),
    );
  });
});

describe('PiecePicker: block state', () => {
  it('completes, verifies and becomes complete', () => {
    const picker = setupPicker({ availability: '11', blocksPerPiece: 2 });
    const requests = picker.pickBlocks('all', 4, A);
    const receipts = requests.map((request) => picker.blockReceived(request.piece, request.block, A));
    expect(receipts.map((receipt) => receipt.pieceComplete)).toEqual([false, true, false, true]);
    expect(picker.partialPieces()).toEqual([0, 1]);
    picker.pieceVerified(0);
    picker.pieceVerified(1);
    expect(picker.partialPieces()).toEqual([]);
    expect(picker.haveCount).toBe(2);
    expect(picker.isComplete()).toBe(true);
    expect(picker.haveBitfield.hasAll()).toBe(true);
  });

  it('is complete when every wanted piece is had, ignoring priority 0 pieces', () => {
    const picker = setupPicker({ availability: '111', have: 'x.x', priority: '101' });
    expect(picker.isComplete()).toBe(true);
    picker.setPiecePriority(1, 1);
    expect(picker.isComplete()).toBe(false);
  });

  it('re-picks every block of a piece that failed its hash check', () => {
    const picker = setupPicker({ availability: '1' });
    downloadPiece(picker, 0, A);
    expect(picker.pickBlocks('all', 10, B)).toEqual([]);
    picker.pieceFailed(0);
    expect(picker.have(0)).toBe(false);
    expect(blocksOf(picker.pickBlocks('all', 10, B))).toEqual(['0:0', '0:1', '0:2', '0:3']);
  });

  it('pieceFailed on a piece we had makes it missing again', () => {
    const picker = setupPicker({ availability: '11', have: 'xx' });
    expect(picker.isComplete()).toBe(true);
    picker.pieceFailed(1);
    expect(picker.isComplete()).toBe(false);
    expect(piecesOf(picker.pickBlocks('all', 10, A))).toEqual([1]);
  });

  it('puts an aborted block back for others to pick', () => {
    const picker = setupPicker({ availability: '1' });
    picker.pickBlocks('all', 2, A);
    picker.requestAborted(0, 1, A);
    expect(blocksOf(picker.pickBlocks('all', 10, B))).toEqual(['0:1', '0:2', '0:3']);
    expect(picker.blockRequesters(0, 1)).toEqual([B]);
  });

  it('ignores an abort from a peer that had not requested the block', () => {
    const picker = setupPicker({ availability: '1' });
    picker.pickBlocks('all', 1, A);
    picker.requestAborted(0, 0, B);
    expect(picker.blockRequesters(0, 0)).toEqual([A]);
    expect(blocksOf(picker.pickBlocks('all', 1, B))).toEqual(['0:1']);
  });

  it('aborts everything a disconnected peer had requested', () => {
    const picker = setupPicker({ availability: '11' });
    picker.pickBlocks('all', 6, A);
    expect(picker.abortPeerRequests(A)).toBe(6);
    expect(picker.partialPieces()).toEqual([]);
    expect(picker.pickBlocks('all', 8, B)).toHaveLength(8);
  });

  it('does not accept a duplicate, an unrequested block, or a block of a piece we have', () => {
    const picker = setupPicker({ availability: '11', have: '.x' });
    picker.pickBlocks('all', 1, A);
    expect(picker.blockReceived(0, 0, A).accepted).toBe(true);
    expect(picker.blockReceived(0, 0, A).accepted).toBe(false);
    expect(picker.blockReceived(0, 1, A).accepted).toBe(false);
    expect(picker.blockReceived(1, 0, A).accepted).toBe(false);
  });

  it('hostile peer: a block or piece index out of range is not accepted and does not throw', () => {
    const picker = setupPicker({ availability: '1' });
    picker.pickBlocks('all', 4, A);
    expect(picker.blockReceived(0, 4, A).accepted).toBe(false);
    expect(picker.blockReceived(7, 0, A).accepted).toBe(false);
    expect(picker.blockReceived(-1, 0, A).accepted).toBe(false);
    expect(picker.blockReceived(0.5, 0, A).accepted).toBe(false);
    expect(() => picker.requestAborted(9, 9, A)).not.toThrow();
  });
});

describe('PiecePicker: endgame', () => {
  it('is endgame once every block of every wanted missing piece is requested or received', () => {
    const picker = setupPicker({ availability: '111', have: 'x..', priority: '110', blocksPerPiece: 2 });
    expect(picker.isEndgame()).toBe(false);
    picker.pickBlocks('all', 1, A);
    expect(picker.isEndgame()).toBe(false);
    picker.pickBlocks('all', 1, A);
    expect(picker.isEndgame()).toBe(true);
    picker.requestAborted(1, 1, A);
    expect(picker.isEndgame()).toBe(false);
  });

  it('is not endgame when nothing is missing', () => {
    expect(setupPicker({ availability: '1', have: 'x' }).isEndgame()).toBe(false);
  });

  it('hands out duplicates and reports the other requesters to cancel', () => {
    const picker = setupPicker({ availability: '1', blocksPerPiece: 2 });
    picker.pickBlocks('all', 2, A);
    expect(picker.pickBlocks('all', 2, B)).toEqual([]);
    expect(blocksOf(picker.pickEndgameBlocks('all', 2, B))).toEqual(['0:0', '0:1']);
    expect(picker.pickEndgameBlocks('all', 2, B)).toEqual([]);
    const receipt = picker.blockReceived(0, 0, A);
    expect(receipt).toEqual({ accepted: true, pieceComplete: false, otherRequesters: [B] });
    expect(picker.blockReceived(0, 0, B).accepted).toBe(false);
    expect(picker.blockReceived(0, 1, B)).toEqual({
      accepted: true,
      pieceComplete: true,
      otherRequesters: [A],
    });
  });

  it('prefers the blocks with the fewest requesters, and only pieces the peer has', () => {
    const picker = setupPicker({ availability: '11', blocksPerPiece: 2 });
    picker.pickBlocks('all', 4, A);
    expect(blocksOf(picker.pickEndgameBlocks(bits('.x'), 1, B))).toEqual(['1:0']);
    expect(blocksOf(picker.pickEndgameBlocks('all', 4, 3))).toEqual(['0:0', '0:1', '1:1', '1:0']);
  });

  it('a peer with nothing to duplicate gets duplicates again once its own request is aborted or a HAVE arrives', () => {
    const picker = setupPicker({ availability: '11', blocksPerPiece: 2 });
    picker.pickBlocks('all', 4, A);
    expect(blocksOf(picker.pickEndgameBlocks(bits('x.'), 4, B))).toEqual(['0:0', '0:1']);
    expect(picker.pickEndgameBlocks(bits('x.'), 4, B)).toEqual([]); // nothing left for B: the scan is skipped next
    expect(picker.pickEndgameBlocks(bits('x.'), 4, B)).toEqual([]);
    picker.requestAborted(0, 1, B); // B's duplicate is gone, A still has the block requested
    expect(blocksOf(picker.pickEndgameBlocks(bits('x.'), 4, B))).toEqual(['0:1']);
    expect(picker.pickEndgameBlocks(bits('x.'), 4, B)).toEqual([]);
    picker.addPeerHave(1); // B now has piece 1 too
    expect(blocksOf(picker.pickEndgameBlocks(bits('xx'), 4, B))).toEqual(['1:0', '1:1']);
  });

  it('an aborted duplicate leaves the block requested by the other peer', () => {
    const picker = setupPicker({ availability: '1', blocksPerPiece: 1 });
    picker.pickBlocks('all', 1, A);
    picker.pickEndgameBlocks('all', 1, B);
    picker.requestAborted(0, 0, A);
    expect(picker.blockRequesters(0, 0)).toEqual([B]);
    expect(picker.isEndgame()).toBe(true);
    expect(picker.blockReceived(0, 0, B)).toEqual({
      accepted: true,
      pieceComplete: true,
      otherRequesters: [],
    });
  });
});

describe('PiecePicker: interest', () => {
  it('wants a peer that has a piece we lack and have not skipped; a seed while anything is missing', () => {
    const picker = setupPicker({ availability: '1111', have: 'x...', priority: '1101' });
    expect(picker.wantsAnyOf(bits('x...'))).toBe(false); // had
    expect(picker.wantsAnyOf(bits('..x.'))).toBe(false); // skipped (priority 0)
    expect(picker.wantsAnyOf(bits('.x..'))).toBe(true);
    expect(picker.wantsAnyOf('all')).toBe(true);
    picker.pieceVerified(1);
    picker.pieceVerified(3);
    expect(picker.wantsAnyOf('all')).toBe(false);
  });
});

describe('PiecePicker: wanted bytes', () => {
  it('counts only pieces of priority > 0, and of those the ones had', () => {
    const piece = 4 * BLOCK_SIZE;
    const picker = setupPicker({ availability: '1111', have: 'xx..', priority: '1011' });
    expect(picker.wantedBytes()).toEqual({ wanted: 3 * piece, had: piece });
    picker.setPiecePriority(1, 7);
    expect(picker.wantedBytes()).toEqual({ wanted: 4 * piece, had: 2 * piece });
  });

  it('counts the short last piece at its size', () => {
    const picker = new PiecePicker({
      pieceCount: 3,
      pieceLength: BLOCK_SIZE,
      totalLength: 2 * BLOCK_SIZE + 5,
      random: seededRandom(1),
    });
    picker.pieceVerified(2);
    expect(picker.wantedBytes()).toEqual({ wanted: 2 * BLOCK_SIZE + 5, had: 5 });
  });
});
