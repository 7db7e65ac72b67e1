import { describe, expect, it } from 'vitest';
import { PiecePicker } from '../../src/pieces/piece-picker.js';
import { readAheadWindows } from '../../src/pieces/read-ahead.js';
import { bits, blocksOf, downloadPiece, piecesOf, seededRandom, setupPicker } from './fixtures.js';

const A = 1;
const B = 2;

/** `have` from a string, one character per piece: `x` had. */
const haveOf = (pattern: string) => (piece: number) => pattern[piece] === 'x';

describe('readAheadWindows', () => {
  it('one stream: its next piece and the window after it, skipping pieces already had', () => {
    const window = readAheadWindows([{ next: 2, last: 9, waitingSince: undefined }], {
      windowPieces: 4,
      stallMs: 1000,
      now: 0,
      have: haveOf('...x......'),
    });
    expect(window).toEqual({ critical: [2, 4, 5], stalled: [] });
  });

  it('stops at the end of the stream’s range', () => {
    const window = readAheadWindows([{ next: 7, last: 8, waitingSince: undefined }], {
      windowPieces: 4,
      stallMs: 1000,
      now: 0,
      have: haveOf('..........'),
    });
    expect(window.critical).toEqual([7, 8]);
  });

  it('several streams take turns by distance: every next piece first, then every second piece', () => {
    const window = readAheadWindows(
      [
        { next: 0, last: 9, waitingSince: undefined },
        { next: 6, last: 9, waitingSince: undefined },
      ],
      { windowPieces: 3, stallMs: 1000, now: 0, have: haveOf('..........') },
    );
    expect(window.critical).toEqual([0, 6, 1, 7, 2, 8]);
  });

  it('overlapping windows list a piece once, at its most urgent place', () => {
    const window = readAheadWindows(
      [
        { next: 0, last: 9, waitingSince: undefined },
        { next: 1, last: 9, waitingSince: undefined },
      ],
      { windowPieces: 3, stallMs: 1000, now: 0, have: haveOf('..........') },
    );
    expect(window.critical).toEqual([0, 1, 2, 3]);
  });

  it('a next piece waited on for stallMs is stalled; a shorter wait is not', () => {
    const streams = [
      { next: 0, last: 9, waitingSince: 0 },
      { next: 5, last: 9, waitingSince: 600 },
      { next: 8, last: 9, waitingSince: undefined },
    ];
    const window = readAheadWindows(streams, {
      windowPieces: 1,
      stallMs: 1000,
      now: 1000,
      have: haveOf('..........'),
    });
    expect(window).toEqual({ critical: [0, 5, 8], stalled: [0] });
  });

  it('is bounded: the farthest pieces are left out', () => {
    const window = readAheadWindows(
      [
        { next: 0, last: 99, waitingSince: undefined },
        { next: 50, last: 99, waitingSince: undefined },
      ],
      { windowPieces: 40, stallMs: 1000, now: 0, have: () => false, maxPieces: 5 },
    );
    expect(window.critical).toEqual([0, 50, 1, 51, 2]);
  });
});

describe('PiecePicker: time-critical pieces (streaming)', () => {
  it('critical pieces come first, most urgent first, before rarer pieces and higher priorities', () => {
    const picker = setupPicker({ availability: '3331333', priority: '1111117' });
    picker.setCriticalPieces([5, 4]);
    expect(piecesOf(picker.pickBlocks('all', 12, A))).toEqual([5, 4, 6]);
  });

  it('the rest keeps rarest first once the window is served', () => {
    const picker = setupPicker({ availability: '4442414' });
    picker.setCriticalPieces([6]);
    expect(piecesOf(picker.pickBlocks('all', 12, A))).toEqual([6, 5, 3]);
  });

  it('skips critical pieces the peer lacks or that are had', () => {
    const picker = setupPicker({ availability: '1111', have: '.x..' });
    picker.setCriticalPieces([1, 2, 3]);
    expect(piecesOf(picker.pickBlocks(bits('xx.x'), 4, A))).toEqual([3]);
    expect(picker.criticalPieces()).toEqual([2, 3]);
  });

  it('a critical piece of priority 0 is still fetched', () => {
    const picker = setupPicker({ availability: '11', priority: '01' });
    picker.setCriticalPieces([0]);
    expect(piecesOf(picker.pickBlocks('all', 4, A))).toEqual([0]);
  });

  it('finishes a started critical piece with the next peer before anything else', () => {
    const picker = setupPicker({ availability: '111' });
    picker.setCriticalPieces([2]);
    expect(blocksOf(picker.pickBlocks('all', 2, A))).toEqual(['2:0', '2:1']);
    expect(blocksOf(picker.pickBlocks('all', 2, B))).toEqual(['2:2', '2:3']);
  });

  it('a stalled piece: its blocks in flight with one peer are also requested from a second, never a third', () => {
    const picker = setupPicker({ availability: '222' });
    picker.setCriticalPieces([1], [1]);
    expect(blocksOf(picker.pickBlocks('all', 4, A))).toEqual(['1:0', '1:1', '1:2', '1:3']);
    // B gets A's blocks of piece 1 first, then goes on with other pieces.
    const second = picker.pickBlocks('all', 6, B);
    expect(blocksOf(second).slice(0, 4)).toEqual(['1:0', '1:1', '1:2', '1:3']);
    expect(piecesOf(second.slice(4))).not.toContain(1);
    expect(piecesOf(picker.pickBlocks('all', 4, 3))).not.toContain(1);
    // The first copy to arrive wins; the other requester is to be cancelled.
    expect(picker.blockReceived(1, 0, B)).toEqual({
      accepted: true,
      pieceComplete: false,
      otherRequesters: [A],
    });
  });

  it('a piece that is not stalled is never requested twice', () => {
    const picker = setupPicker({ availability: '22' });
    picker.setCriticalPieces([1]);
    picker.pickBlocks('all', 4, A);
    expect(piecesOf(picker.pickBlocks('all', 4, B))).toEqual([0]);
  });

  it('clearing the list (a stream closed) returns to rarest first', () => {
    const picker = setupPicker({ availability: '3331' });
    picker.setCriticalPieces([0]);
    picker.setCriticalPieces([]);
    expect(piecesOf(picker.pickBlocks('all', 4, A))).toEqual([3]);
  });

  it('a verified critical piece is skipped, and completing it counts as usual', () => {
    const picker = setupPicker({ availability: '11' });
    picker.setCriticalPieces([1, 0]);
    downloadPiece(picker, 1, A);
    picker.pieceVerified(1);
    expect(picker.criticalPieces()).toEqual([0]);
    expect(piecesOf(picker.pickBlocks('all', 8, A))).toEqual([0]);
  });

  it('refuses out-of-range pieces and lists past the bound (caller bugs)', () => {
    const picker = new PiecePicker({
      pieceCount: 4,
      pieceLength: 16384,
      totalLength: 65536,
      random: seededRandom(1),
    });
    expect(() => picker.setCriticalPieces([4])).toThrow(
      expect.objectContaining({ code: 'PICKER_PIECE_OUT_OF_RANGE' }),
    );
    expect(() => picker.setCriticalPieces(new Array(5000).fill(0))).toThrow(
      expect.objectContaining({ code: 'PICKER_TOO_MANY_CRITICAL' }),
    );
  });
});
