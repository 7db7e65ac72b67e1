/**
 * `PieceStorage.verifyAndWrite`: a piece is written only if its SHA-1 matches. A piece whole in one file goes to the
 * storage's `writeVerified` when it has one (hashed on its way to disk, the hasher never asked); a piece across
 * files, or a storage without it, is hashed by the hasher first.
 */
import { FileLayout, PieceStorage } from '@bitloom/engine';
import { MemoryStorage, sha1Sync, TestHasher } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';

const PIECE = 16 * 1024;
// Two files: piece 0 lies in a.bin, piece 1 spans a.bin and b.bin, piece 2 lies in b.bin.
const FILES = [
  { path: ['a.bin'], length: PIECE + PIECE / 2, padding: false },
  { path: ['b.bin'], length: PIECE + PIECE / 2, padding: false },
];
const payload = new Uint8Array(3 * PIECE).map((_, i) => (i * 31) % 255);
const pieceBytes = (piece: number) => payload.slice(piece * PIECE, (piece + 1) * PIECE);

async function open(hashesWrites: boolean) {
  const storage = new MemoryStorage({ hashesWrites });
  const layout = new FileLayout(
    FILES.map((f, i) => ({ offset: i * f.length, length: f.length, padding: false })),
    PIECE,
  );
  const pieces = await PieceStorage.open(
    storage,
    '/data',
    { infoHashHex: '00'.repeat(20), files: FILES },
    layout,
    { verify: async () => false },
  );
  return { storage, pieces, hasher: new TestHasher() };
}

const wrongHash = (piece: number) => sha1Sync(pieceBytes(piece)).map((byte) => byte ^ 1);

describe('PieceStorage.verifyAndWrite', () => {
  it('hands a piece in one file to the storage to hash and write; the hasher is not asked', async () => {
    const { storage, pieces, hasher } = await open(true);
    expect(pieces.hashesWrites).toBe(true);
    const bad = await pieces.verifyAndWrite(0, pieceBytes(0), wrongHash(0), hasher, () => true);
    expect(bad).toMatchObject({ valid: false, stored: false });
    expect(bad.data).toEqual(pieceBytes(0));
    expect(storage.stats.bytesWritten).toBe(0);
    const good = await pieces.verifyAndWrite(0, pieceBytes(0), sha1Sync(pieceBytes(0)), hasher, () => true);
    expect(good).toMatchObject({ valid: true, stored: true });
    expect(await pieces.read(0, 0, PIECE)).toEqual(pieceBytes(0));
    expect(storage.stats.verifiedWrites).toBe(2);
    expect(hasher.calls).toBe(0);
  });

  it('hashes a piece across two files with the hasher, then writes both spans only if it matches', async () => {
    const { storage, pieces, hasher } = await open(true);
    const bad = await pieces.verifyAndWrite(1, pieceBytes(1), wrongHash(1), hasher, () => true);
    expect(bad).toMatchObject({ valid: false, stored: false });
    expect(storage.stats.bytesWritten).toBe(0);
    const good = await pieces.verifyAndWrite(1, pieceBytes(1), sha1Sync(pieceBytes(1)), hasher, () => true);
    expect(good).toMatchObject({ valid: true, stored: true });
    expect(good.data).toEqual(pieceBytes(1));
    expect(await pieces.read(1, 0, PIECE)).toEqual(pieceBytes(1));
    expect(storage.stats.writes).toBe(2); // one per file
    expect(storage.stats.verifiedWrites).toBe(0);
    expect(hasher.calls).toBe(2);
  });

  it('without writeVerified the hasher checks every piece; a piece that matches is not written once told to stop', async () => {
    const { storage, pieces, hasher } = await open(false);
    expect(pieces.hashesWrites).toBe(false);
    const halted = await pieces.verifyAndWrite(
      2,
      pieceBytes(2),
      sha1Sync(pieceBytes(2)),
      hasher,
      () => false,
    );
    expect(halted).toMatchObject({ valid: true, stored: false });
    expect(storage.stats.bytesWritten).toBe(0);
    const bad = await pieces.verifyAndWrite(2, pieceBytes(2), wrongHash(2), hasher, () => true);
    expect(bad).toMatchObject({ valid: false, stored: false });
    const good = await pieces.verifyAndWrite(2, pieceBytes(2), sha1Sync(pieceBytes(2)), hasher, () => true);
    expect(good).toMatchObject({ valid: true, stored: true });
    expect(await pieces.read(2, 0, PIECE)).toEqual(pieceBytes(2));
    expect(storage.stats.bytesWritten).toBe(PIECE);
    expect(hasher.calls).toBe(3);
  });
});
