/**
 * Test fixtures for the picker, in the style of libtorrent's test_piece_picker.cpp: one character per piece.
 * availability "1231" (peers having each piece), have "x..x", priority "1171".
 */
import { BLOCK_SIZE } from '../../src/indices.js';
import { Bitfield } from '../../src/pieces/bitfield.js';
import type { BlockRequest } from '../../src/pieces/block-request.js';
import { PiecePicker } from '../../src/pieces/piece-picker.js';
import type { Random } from '../../src/platform/random.js';

/** mulberry32: a tiny seeded generator, so every test run picks the same "random" pieces. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const float = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    float,
    bytes: (length) => Uint8Array.from({ length }, () => Math.floor(float() * 256)),
  };
}

/** "x.x." → a bitfield with pieces 0 and 2 set. */
export function bits(pattern: string): Bitfield {
  const bitfield = new Bitfield(pattern.length);
  [...pattern].forEach((char, index) => {
    if (char === 'x') bitfield.set(index);
  });
  return bitfield;
}

export interface PickerFixture {
  /** One digit per piece: how many peers have it. Its length is the piece count. */
  availability: string;
  have?: string;
  priority?: string;
  blocksPerPiece?: number;
  seed?: number;
  /** Default 0 here (rarest first from the start), unlike the picker's default of 4. */
  randomFirstPieces?: number;
  /** Default 0 here (pure rarest first with random ties), unlike the picker's default of 4 MiB. */
  extentBytes?: number;
}

export function setupPicker(fixture: PickerFixture): PiecePicker {
  const pieceCount = fixture.availability.length;
  const pieceLength = (fixture.blocksPerPiece ?? 4) * BLOCK_SIZE;
  const picker = new PiecePicker({
    pieceCount,
    pieceLength,
    totalLength: pieceCount * pieceLength,
    random: seededRandom(fixture.seed ?? 1),
    randomFirstPieces: fixture.randomFirstPieces ?? 0,
    extentBytes: fixture.extentBytes ?? 0,
  });
  [...fixture.availability].forEach((digit, piece) => {
    for (let peer = 0; peer < Number(digit); peer++) picker.addPeerHave(piece);
  });
  [...(fixture.have ?? '')].forEach((char, piece) => {
    if (char === 'x') picker.pieceVerified(piece);
  });
  [...(fixture.priority ?? '')].forEach((digit, piece) => {
    picker.setPiecePriority(piece, Number(digit));
  });
  return picker;
}

/** The distinct pieces of a pick, in the order they were first handed out. */
export function piecesOf(requests: readonly BlockRequest[]): number[] {
  return [...new Set(requests.map((request) => request.piece))];
}

/** "piece:block" labels, e.g. ["0:0", "0:1"]. */
export function blocksOf(requests: readonly BlockRequest[]): string[] {
  return requests.map((request) => `${request.piece}:${request.block}`);
}

/** Receives every block of a piece (requested by `peer` first if needed) so it can be verified. */
export function downloadPiece(picker: PiecePicker, piece: number, peer: number): void {
  const has = new Bitfield(picker.pieceCount);
  has.set(piece);
  const requests = picker.pickBlocks(has, picker.blocksInPiece(piece), peer);
  for (const request of requests) picker.blockReceived(request.piece, request.block, peer);
}
