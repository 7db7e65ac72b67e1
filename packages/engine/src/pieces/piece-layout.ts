/**
 * How a torrent's bytes divide into pieces (the unit of hashing, BEP 3 `piece length`) and pieces into blocks
 * (the 16 KiB unit of a request). Every piece has `pieceLength` bytes except the last, which holds the rest;
 * every block has BLOCK_SIZE bytes except the last block of a piece. Piece lengths need not be powers of two.
 */
import { BLOCK_SIZE } from '../indices.js';
import { PiecePickerError } from './errors.js';

export class PieceLayout {
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
  readonly #lastPieceSize: number;
  readonly #blocksPerPiece: number;

  /** @throws PiecePickerError `PICKER_BAD_LAYOUT` when the three numbers do not describe one torrent. */
  constructor(pieceCount: number, pieceLength: number, totalLength: number) {
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) {
      throw new PiecePickerError(
        'PICKER_BAD_LAYOUT',
        `piece length must be a positive integer, got ${pieceLength}`,
      );
    }
    if (!Number.isSafeInteger(totalLength) || totalLength <= 0) {
      throw new PiecePickerError(
        'PICKER_BAD_LAYOUT',
        `total length must be a positive integer, got ${totalLength}`,
      );
    }
    if (pieceCount !== Math.ceil(totalLength / pieceLength)) {
      throw new PiecePickerError(
        'PICKER_BAD_LAYOUT',
        `${totalLength} bytes in pieces of ${pieceLength} make ${Math.ceil(totalLength / pieceLength)} pieces, not ${pieceCount}`,
      );
    }
    this.pieceCount = pieceCount;
    this.pieceLength = pieceLength;
    this.totalLength = totalLength;
    this.#lastPieceSize = totalLength - (pieceCount - 1) * pieceLength;
    this.#blocksPerPiece = Math.ceil(pieceLength / BLOCK_SIZE);
  }

  pieceSize(piece: number): number {
    this.checkPiece(piece);
    return piece === this.pieceCount - 1 ? this.#lastPieceSize : this.pieceLength;
  }

  blocksInPiece(piece: number): number {
    this.checkPiece(piece);
    return piece === this.pieceCount - 1 ? Math.ceil(this.#lastPieceSize / BLOCK_SIZE) : this.#blocksPerPiece;
  }

  blockLength(piece: number, block: number): number {
    const blocks = this.blocksInPiece(piece);
    this.checkBlock(piece, block, blocks);
    return block === blocks - 1 ? this.pieceSize(piece) - block * BLOCK_SIZE : BLOCK_SIZE;
  }

  /** @throws PiecePickerError `PICKER_PIECE_OUT_OF_RANGE` */
  checkPiece(piece: number): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new PiecePickerError(
        'PICKER_PIECE_OUT_OF_RANGE',
        `piece ${piece} is outside a torrent of ${this.pieceCount} pieces`,
      );
    }
  }

  /** @throws PiecePickerError `PICKER_BLOCK_OUT_OF_RANGE` */
  checkBlock(piece: number, block: number, blocks = this.blocksInPiece(piece)): void {
    if (!Number.isInteger(block) || block < 0 || block >= blocks) {
      throw new PiecePickerError(
        'PICKER_BLOCK_OUT_OF_RANGE',
        `block ${block} is outside piece ${piece} of ${blocks} blocks`,
      );
    }
  }
}
