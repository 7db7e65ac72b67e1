import { describe, expect, it } from 'vitest';
import { FileLayout } from '../../src/storage/file-layout.js';

function layoutOf(lengths: number[], pieceLength: number, padding: number[] = []) {
  let offset = 0;
  const files = lengths.map((length, i) => {
    const file = { offset, length, padding: padding.includes(i) };
    offset += length;
    return file;
  });
  return new FileLayout(files, pieceLength);
}

describe('FileLayout: pieces mapped onto files', () => {
  it('a piece inside one file is one span', () => {
    const layout = layoutOf([100], 32);
    expect(layout.spans(1, 0, 32)).toEqual([
      { fileIndex: 0, position: 32, length: 32, rangeOffset: 0, padding: false },
    ]);
    expect(layout.pieceCount).toBe(4);
    expect(layout.pieceSize(3)).toBe(4);
  });

  it('a piece crossing file boundaries (and skipping zero-length files) is split in order', () => {
    const layout = layoutOf([10, 0, 5, 30], 16);
    expect(layout.spans(0, 0, 16)).toEqual([
      { fileIndex: 0, position: 0, length: 10, rangeOffset: 0, padding: false },
      { fileIndex: 2, position: 0, length: 5, rangeOffset: 10, padding: false },
      { fileIndex: 3, position: 0, length: 1, rangeOffset: 15, padding: false },
    ]);
    expect(layout.spans(1, 4, 8)).toEqual([
      { fileIndex: 3, position: 5, length: 8, rangeOffset: 0, padding: false },
    ]);
  });

  it('a 1-byte last piece maps to the last byte of the last file', () => {
    const layout = layoutOf([20, 13], 16);
    expect(layout.pieceCount).toBe(3);
    expect(layout.pieceSize(2)).toBe(1);
    expect(layout.spans(2, 0, 1)).toEqual([
      { fileIndex: 1, position: 12, length: 1, rangeOffset: 0, padding: false },
    ]);
  });

  it('marks padding files so they are never written', () => {
    const layout = layoutOf([10, 6, 16], 16, [1]);
    expect(layout.spans(0, 0, 16).map((s) => s.padding)).toEqual([false, true]);
  });

  it('every byte of every piece maps to exactly one file byte (property over many layouts)', () => {
    for (let seed = 1; seed < 60; seed++) {
      const lengths = Array.from(
        { length: 1 + (seed % 7) },
        (_, i) => ((seed * 7919 + i * 104729) % 50) * (i % 3),
      );
      const total = lengths.reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const pieceLength = 1 + (seed % 17);
      const layout = layoutOf(lengths, pieceLength);
      const seen = new Uint8Array(total);
      for (let piece = 0; piece < layout.pieceCount; piece++) {
        let covered = 0;
        for (const span of layout.spans(piece, 0, layout.pieceSize(piece))) {
          expect(span.rangeOffset).toBe(covered);
          covered += span.length;
          let fileOffset = 0;
          for (let i = 0; i < span.fileIndex; i++) fileOffset += lengths[i]!;
          for (let b = 0; b < span.length; b++) seen[fileOffset + span.position + b]!++;
        }
        expect(covered).toBe(layout.pieceSize(piece));
      }
      expect(seen.every((count) => count === 1)).toBe(true);
    }
  });
});
