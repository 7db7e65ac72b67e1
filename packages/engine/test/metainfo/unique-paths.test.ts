import { describe, expect, it } from 'vitest';
import { makePathsUnique } from '../../src/metainfo/unique-paths.js';

describe('makePathsUnique', () => {
  it('leaves distinct paths alone', () => {
    const paths = [
      ['t', 'a'],
      ['t', 'b'],
      ['t', 'd', 'a'],
    ];
    expect(makePathsUnique(paths)).toEqual(paths);
  });

  it('collision: renames later duplicates with a suffix before the extension', () => {
    expect(
      makePathsUnique([
        ['t', 'movie.mkv'],
        ['t', 'movie.mkv'],
        ['t', 'movie.mkv'],
      ]),
    ).toEqual([
      ['t', 'movie.mkv'],
      ['t', 'movie.1.mkv'],
      ['t', 'movie.2.mkv'],
    ]);
  });

  it('collision: compares case-insensitively and after Unicode normalisation', () => {
    expect(
      makePathsUnique([
        ['t', 'README'],
        ['t', 'readme'],
      ]),
    ).toEqual([
      ['t', 'README'],
      ['t', 'readme.1'],
    ]);
    expect(
      makePathsUnique([
        ['t', 'caf\u00e9'],
        ['t', 'cafe\u0301'],
      ]),
    ).toEqual([
      ['t', 'caf\u00e9'],
      ['t', 'cafe\u0301.1'],
    ]);
  });

  it('collision: a file never takes the place of a folder another file needs', () => {
    expect(
      makePathsUnique([
        ['t', 'a'],
        ['t', 'a', 'b'],
      ]),
    ).toEqual([
      ['t', 'a.1'],
      ['t', 'a', 'b'],
    ]);
  });

  it('collision: a renamed file does not collide with a later real file of that name', () => {
    expect(
      makePathsUnique([
        ['t', 'x'],
        ['t', 'x'],
        ['t', 'x.1'],
      ]),
    ).toEqual([
      ['t', 'x'],
      ['t', 'x.1'],
      ['t', 'x.1.1'],
    ]);
  });

  it('same names in different folders do not collide; folders compare case-insensitively', () => {
    expect(
      makePathsUnique([
        ['t', 'x', 'a'],
        ['t', 'y', 'a'],
        ['t', 'A'],
        ['t', 'a', 'b'],
        ['t', 'X', 'A'],
      ]),
    ).toEqual([
      ['t', 'x', 'a'],
      ['t', 'y', 'a'],
      ['t', 'A.1'],
      ['t', 'a', 'b'],
      ['t', 'X', 'A.1'],
    ]);
  });

  it('padding entries (undefined) pass through and take no part', () => {
    expect(makePathsUnique([['t', 'a'], undefined, ['t', 'a']])).toEqual([
      ['t', 'a'],
      undefined,
      ['t', 'a.1'],
    ]);
  });

  it('collision: 20,000 identical names are renamed in linear time', () => {
    const paths = Array.from({ length: 20_000 }, () => ['t', 'same.bin']);
    const unique = makePathsUnique(paths);
    expect(new Set(unique.map((path) => path!.join('/'))).size).toBe(20_000);
    expect(unique[19_999]).toEqual(['t', 'same.19999.bin']);
  });

  it('a suffixed over-long name still fits 255 bytes', () => {
    const long = `${'n'.repeat(251)}.bin`;
    const [, second] = makePathsUnique([
      ['t', long],
      ['t', long],
    ]);
    expect(second![1]!.length).toBeLessThanOrEqual(255);
    expect(second![1]!.endsWith('.1.bin')).toBe(true);
  });
});
