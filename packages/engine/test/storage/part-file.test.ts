/**
 * The part file on its own, over MemoryStorage: slots used lowest first, whole pieces read back, the header
 * survives a reopen, a foreign or mismatched header is discarded, and the file is removed with its last slot.
 */
import { FileLayout, type StorageFileSpec } from '@bitloom/engine';
import { MemoryStorage } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { PartFile, partFileName } from '../../src/storage/part-file.js';

const HASH = 'ab'.repeat(20);
// Files of 10, 10 and 12 bytes over 8-byte pieces: pieces [0-8) [8-16) [16-24) [24-32); 1 and 2 are shared.
const LENGTHS = [10, 10, 12];
const layout = new FileLayout(
  LENGTHS.map((length, i) => ({
    offset: LENGTHS.slice(0, i).reduce((a, b) => a + b, 0),
    length,
    padding: false,
  })),
  8,
);
const specs: StorageFileSpec[] = LENGTHS.map((length, i) => ({ path: ['t', `f${i}`], length }));
const piece = (fill: number) => new Uint8Array(8).fill(fill);

async function openPart(storage: MemoryStorage) {
  const spec = PartFile.spec(HASH, layout)!;
  const files = await storage.open('/save', [...specs, spec]);
  return { files, part: await PartFile.open(files, specs.length, layout) };
}

describe('part file', () => {
  it('has slots only for pieces shared by two files, and a name from the info-hash', () => {
    expect(layout.sharedPieces()).toEqual([1, 2]);
    expect(PartFile.spec(HASH, layout)).toMatchObject({ path: [`.${HASH}.parts`], grows: true });
    expect(partFileName(HASH)).toBe(`.${HASH}.parts`);
    const aligned = new FileLayout(
      [
        { offset: 0, length: 8, padding: false },
        { offset: 8, length: 8, padding: false },
      ],
      8,
    );
    expect(PartFile.spec(HASH, aligned)).toBeUndefined();
  });

  it('stores whole pieces, reads any range of them back, keeps them across a reopen, and refuses unshared pieces', async () => {
    const storage = new MemoryStorage();
    const { files, part } = await openPart(storage);
    expect(storage.files().size).toBe(0);
    await part.write(2, piece(2));
    await part.write(1, piece(1));
    expect(part.pieces()).toEqual([2, 1]);
    expect(await part.read(1, 3, 4)).toEqual(new Uint8Array(4).fill(1));
    await expect(part.write(0, piece(0))).rejects.toMatchObject({ code: 'STORAGE_BAD_SPEC' });
    await expect(part.read(0, 0, 8)).rejects.toMatchObject({ code: 'STORAGE_MISSING' });
    await files.close();
    // The header is 16 + 2 * 4 bytes, the slots start at 4096.
    expect(storage.files().get(`/save/.${HASH}.parts`)?.length).toBe(4096 + 2 * 8);
    const again = await openPart(storage);
    expect(again.part.pieces()).toEqual([2, 1]);
    expect(await again.part.read(2, 0, 8)).toEqual(piece(2));
    await again.files.close();
  });

  it('frees slots, reuses the lowest, and removes the file with its last slot', async () => {
    const storage = new MemoryStorage();
    const { files, part } = await openPart(storage);
    await part.write(1, piece(1));
    await part.write(2, piece(2));
    await part.free(1);
    expect(part.has(1)).toBe(false);
    await part.write(1, piece(9));
    expect(part.pieces()).toEqual([1, 2]);
    await part.free(1);
    await part.free(2);
    expect([...storage.files().keys()]).toEqual([]);
    // Usable again after removal: the header is written anew.
    await part.write(2, piece(5));
    await files.close();
    expect((await openPart(storage)).part.pieces()).toEqual([2]);
  });

  it('discards a part file whose header is not ours or is for another layout', async () => {
    const storage = new MemoryStorage();
    const { files } = await openPart(storage);
    await files.write(specs.length, 0, new TextEncoder().encode('definitely not a part file header'));
    const garbage = await PartFile.open(files, specs.length, layout);
    expect(garbage.pieces()).toEqual([]);
    expect(await files.size(specs.length)).toBe(-1);
    // Same bytes, different piece length: no match either.
    const first = await openPart(storage);
    await first.part.write(1, piece(1));
    const otherLayout = new FileLayout(
      LENGTHS.map((length, i) => ({
        offset: LENGTHS.slice(0, i).reduce((a, b) => a + b, 0),
        length,
        padding: false,
      })),
      16,
    );
    const other = await PartFile.open(first.files, specs.length, otherLayout);
    expect(other.pieces()).toEqual([]);
  });

  it('treats out-of-range and duplicate header entries as free slots', async () => {
    const storage = new MemoryStorage();
    const { files, part } = await openPart(storage);
    await part.write(1, piece(1));
    await part.write(2, piece(2));
    // Entry of slot 1 now claims piece 1 too (a duplicate), then piece 99 (out of range).
    await files.write(specs.length, 20, new Uint8Array([0, 0, 0, 2]));
    expect((await PartFile.open(files, specs.length, layout)).pieces()).toEqual([1]);
    await files.write(specs.length, 20, new Uint8Array([0, 0, 0, 100]));
    expect((await PartFile.open(files, specs.length, layout)).pieces()).toEqual([1]);
  });
});
