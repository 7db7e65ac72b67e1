import { describe, expect, it } from 'vitest';
import { FileLayout } from '../../src/storage/file-layout.js';
import { piecePriorities, selectionPriorities } from '../../src/torrent/file-priorities.js';

function files(lengths: number[], padding: number[] = []) {
  let offset = 0;
  return lengths.map((length, i) => {
    const f = { offset, length, padding: padding.includes(i) };
    offset += length;
    return f;
  });
}

describe('file priorities onto pieces', () => {
  it('a piece shared by a skipped and a wanted file takes the higher priority', () => {
    const list = files([10, 10, 12], []);
    const layout = new FileLayout(list, 8); // pieces: [0-8) [8-16) [16-24) [24-32)
    expect([...piecePriorities(list, layout, [0, 5, 0])]).toEqual([0, 5, 5, 0]);
    expect([...piecePriorities(list, layout, [1, 0, 7])]).toEqual([1, 1, 7, 7]);
  });

  it('padding and zero-length files never raise a piece; missing entries count as 1; values are clamped', () => {
    const list = files([8, 0, 8, 8], [2]);
    const layout = new FileLayout(list, 8);
    expect([...piecePriorities(list, layout, [0, 7, 7, 0])]).toEqual([0, 0, 0]);
    expect([...piecePriorities(list, layout, [9])]).toEqual([7, 0, 1]);
  });

  it('selection ranges are inclusive and ignore indices past the end', () => {
    expect(
      selectionPriorities(5, [
        { start: 1, end: 2 },
        { start: 4, end: 99 },
      ]),
    ).toEqual([0, 1, 1, 0, 1]);
  });
});
