/**
 * Branded index types, so a block index is never passed where a piece index is meant.
 * A piece is the unit of hashing (16 KiB … 16 MiB); a block is the 16 KiB unit of a request.
 */
export type PieceIndex = number & { readonly __brand: 'PieceIndex' };
export type BlockIndex = number & { readonly __brand: 'BlockIndex' };

export const asPieceIndex = (n: number): PieceIndex => n as PieceIndex;
export const asBlockIndex = (n: number): BlockIndex => n as BlockIndex;

/** The size of a block request: 16 KiB, as every client expects (BEP 3, in practice). */
export const BLOCK_SIZE = 16 * 1024;
