import { describe, expect, it } from 'vitest';
import { changedFiles, type FileView, fileLines } from '../src/files-table.js';
import { displayWidth } from '../src/text-width.js';

const MIB = 1024 * 1024;

function file(index: number, path: string, length: number, verifiedBytes: number, priority = 1): FileView {
  return { index, path, length, verifiedBytes, priority, padding: false };
}

describe('fileLines (--files)', () => {
  it('one aligned line per file: index, bar, percent, bytes, path; skipped files say so', () => {
    expect(
      fileLines([
        file(0, 'album/01 intro.flac', 30 * MIB, 15 * MIB),
        file(1, 'album/02 song.flac', 4 * MIB, 4 * MIB),
        file(2, 'album/cover.jpg', 512 * 1024, 0, 0),
        file(3, 'empty.txt', 0, 0),
      ]),
    ).toEqual([
      '0  [#####-----]   50.0%  15.0 MiB of 30.0 MiB  album/01 intro.flac',
      '1  [##########]  100.0%  4.00 MiB of 4.00 MiB  album/02 song.flac',
      '2  skipped               0 B of 512.0 KiB      album/cover.jpg',
      '3  [##########]  100.0%  0 B of 0 B            empty.txt',
    ]);
  });

  it('never shows padding files (BEP 47)', () => {
    const lines = fileLines([
      file(0, 'a', MIB, 0),
      { ...file(1, '.pad/1000', 1000, 0), padding: true },
      file(2, 'b', MIB, 0),
    ]);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('.pad');
  });

  it('neutralises control, ANSI and bidi characters in paths', () => {
    const [line] = fileLines([file(0, 'x\u001b[2J\u202Egnp.exe\r', MIB, 0)]);
    expect(line).toMatch(/x\\x1b\[2J\\u\{202e\}gnp\.exe\\x0d$/);
  });

  it('fits each line to the width', () => {
    const lines = fileLines([file(0, `${'deep/'.repeat(30)}file.bin`, MIB, 0)], 60);
    expect(displayWidth(lines[0]!)).toBe(60);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });

  it('with more files than lines, shows the files still to come first and sums up the rest', () => {
    const files = [
      file(0, 'done-1', MIB, MIB),
      file(1, 'done-2', MIB, MIB),
      file(2, 'half', MIB, MIB / 2),
      file(3, 'skipped', MIB, 0, 0),
      file(4, 'todo', MIB, 0),
    ];
    const lines = fileLines(files, Number.POSITIVE_INFINITY, 3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('half');
    expect(lines[1]).toContain('todo');
    expect(lines[2]).toBe('… 3 more files (2 of them complete)');
  });

  it('handles 100,000 files without running out of stack', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => file(i, `f${i}`, 1000, i % 2 ? 1000 : 0));
    const lines = fileLines(many, 80, 10);
    expect(lines).toHaveLength(10);
    expect(lines[9]).toBe('… 99991 more files (50000 of them complete)');
  });
});

describe('changedFiles', () => {
  it('lists files whose verified bytes moved since the last print', () => {
    const before = new Map([
      [0, 0],
      [1, MIB],
    ]);
    const now = [file(0, 'a', MIB, MIB), file(1, 'b', MIB, MIB), file(2, 'c', MIB, 0)];
    expect(changedFiles(now, before).map((f) => f.index)).toEqual([0, 2]);
  });
});
