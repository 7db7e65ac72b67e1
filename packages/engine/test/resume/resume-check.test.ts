import { FileLayout, planResume, type ResumeData, ResumeError, SPOT_CHECK_PIECES } from '@bitloom/engine';
import { SeededRandom } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';

// Three files of 4 pieces each (piece length 10), so each file's pieces are easy to name.
const files = [0, 40, 80].map((offset) => ({ offset, length: 40, padding: false }));
const info = {
  infoHash: new Uint8Array(20).fill(1),
  infoBytes: Uint8Array.of(1, 2, 3),
  pieceCount: 12,
  files,
};
const target = { info: info as never, savePath: '/data', layout: new FileLayout(files, 10) };
const onDisk = files.map(() => ({ size: 40, mtime: 5 }));
const record: ResumeData = {
  infoHash: info.infoHash,
  infoBytes: info.infoBytes,
  savePath: '/data',
  pieces: Uint8Array.of(0b1111_1111, 0b0000_0000), // files 0 and 1 verified, file 2 not
  files: onDisk,
  sequential: false,
};
const random = () => new SeededRandom(1);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ResumeError);
    return (error as ResumeError).code;
  }
  throw new Error('no error');
}

describe('planResume', () => {
  it('unchanged files: the record is trusted, nothing but the spot check is hashed', () => {
    const plan = planResume(record, target, onDisk, random());
    expect(plan.trusted.count()).toBe(8);
    expect(plan.check).toEqual([]);
    expect(plan.spotCheck).toHaveLength(SPOT_CHECK_PIECES);
    for (const piece of plan.spotCheck) expect(plan.trusted.get(piece)).toBe(true);
  });

  it('a file modified since (same size, newer mtime): its pieces are all hashed, trusted or not', () => {
    const now = [onDisk[0]!, { size: 40, mtime: 9 }, onDisk[2]!];
    const plan = planResume(record, target, now, random());
    expect(plan.check).toEqual([4, 5, 6, 7]);
    expect(plan.trusted.count()).toBe(4);
    expect(plan.changedFiles).toEqual(['file 1 was modified']);
  });

  it('a file that appeared since (copied in): its pieces are hashed so the data is adopted', () => {
    const missing = { ...record, files: [onDisk[0]!, onDisk[1]!, { size: -1, mtime: -1 }] };
    const plan = planResume(missing, target, onDisk, random());
    expect(plan.check).toEqual([8, 9, 10, 11]);
    expect(plan.changedFiles).toEqual(['file 2 appeared']);
  });

  it('a record for another torrent, info dictionary, folder or file count is refused', () => {
    expect(
      codeOf(() => planResume({ ...record, infoHash: new Uint8Array(20) }, target, onDisk, random())),
    ).toBe('RESUME_MISMATCH');
    expect(
      codeOf(() => planResume({ ...record, infoBytes: Uint8Array.of(9) }, target, onDisk, random())),
    ).toBe('RESUME_MISMATCH');
    expect(codeOf(() => planResume({ ...record, savePath: '/other' }, target, onDisk, random()))).toBe(
      'RESUME_MISMATCH',
    );
    expect(codeOf(() => planResume({ ...record, files: onDisk.slice(1) }, target, onDisk, random()))).toBe(
      'RESUME_MISMATCH',
    );
  });

  it('a bitfield of the wrong length, or with bits past the last piece, is refused', () => {
    for (const pieces of [Uint8Array.of(0xff), Uint8Array.of(0xff, 0, 0), Uint8Array.of(0, 0b0000_0001)]) {
      expect(codeOf(() => planResume({ ...record, pieces }, target, onDisk, random()))).toBe(
        'RESUME_MALFORMED',
      );
    }
  });
});
