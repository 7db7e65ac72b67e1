/**
 * Piece length (BEP 3 `piece length`) and the piece geometry derived from it. Parsing accepts any positive
 * length within the limits; creating picks a power of two so that a torrent has roughly 1000–2000 pieces,
 * which keeps the `.torrent` small without making a single bad piece expensive to re-download.
 */
import { MetainfoError } from './metainfo-error.js';

/** What the piece helpers below need of a torrent's info dictionary (an `InfoDictionary` is one). */
export interface PieceGeometry {
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
  readonly pieceHashes: Uint8Array;
}

/** Smallest piece length createTorrent picks: one 16 KiB block. */
export const MIN_AUTO_PIECE_LENGTH = 16 * 1024;
/** Largest piece length createTorrent picks. */
export const MAX_AUTO_PIECE_LENGTH = 16 * 1024 * 1024;
/** createTorrent grows the piece length until the torrent has at most this many pieces. */
export const TARGET_MAX_PIECES = 2000;

/** Bytes of one SHA-1 piece hash in `pieces`. */
export const PIECE_HASH_LENGTH = 20;

/**
 * The piece length createTorrent uses when none is given: the smallest power of two between 16 KiB and
 * 16 MiB that gives at most 2000 pieces (so between 1000 and 2000 unless clamped).
 */
export function autoPieceLength(totalLength: number): number {
  let pieceLength = MIN_AUTO_PIECE_LENGTH;
  while (pieceLength < MAX_AUTO_PIECE_LENGTH && Math.ceil(totalLength / pieceLength) > TARGET_MAX_PIECES) {
    pieceLength *= 2;
  }
  return pieceLength;
}

/** The number of pieces `totalLength` bytes take. */
export function pieceCountFor(totalLength: number, pieceLength: number): number {
  return Math.ceil(totalLength / pieceLength);
}

function checkPiece(info: PieceGeometry, piece: number): void {
  if (!Number.isInteger(piece) || piece < 0 || piece >= info.pieceCount) {
    throw new MetainfoError(
      'METAINFO_PIECE_OUT_OF_RANGE',
      `piece ${piece} is out of range (the torrent has ${info.pieceCount} pieces)`,
    );
  }
}

/** The length of piece `piece` in bytes: `pieceLength`, except the last piece, which may be shorter. */
export function pieceSize(info: PieceGeometry, piece: number): number {
  checkPiece(info, piece);
  if (piece < info.pieceCount - 1) return info.pieceLength;
  return info.totalLength - info.pieceLength * (info.pieceCount - 1);
}

/** The expected SHA-1 of piece `piece`: a 20-byte view into `pieceHashes` (do not modify it). */
export function pieceHash(info: PieceGeometry, piece: number): Uint8Array {
  checkPiece(info, piece);
  return info.pieceHashes.subarray(piece * PIECE_HASH_LENGTH, (piece + 1) * PIECE_HASH_LENGTH);
}
