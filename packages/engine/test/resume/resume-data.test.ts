import { decodeResumeData, encode, encodeResumeData, type ResumeData, ResumeError } from '@bitloom/engine';
import { SeededRandom, testHasher } from '@bitloom/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const record: ResumeData = {
  infoHash: new Uint8Array(20).fill(7),
  infoBytes: new TextEncoder().encode('d4:name3:abc12:piece lengthi16384e6:pieces0:6:lengthi0ee'),
  savePath: '/data/dir with ünïcode',
  pieces: Uint8Array.of(0b1010_0000),
  files: [
    { size: 100, mtime: 1_700_000_000_123 },
    { size: -1, mtime: -1 },
  ],
  filePriorities: [1, 0],
  sequential: true,
};

async function expectResumeError(bytes: Uint8Array): Promise<string> {
  try {
    await decodeResumeData(bytes, testHasher);
  } catch (error) {
    expect(error).toBeInstanceOf(ResumeError);
    return (error as ResumeError).code;
  }
  throw new Error('decoded bad resume data without an error');
}

describe('resume data codec', () => {
  it('round-trips every field', async () => {
    const bytes = await encodeResumeData(record, testHasher);
    expect(await decodeResumeData(bytes, testHasher)).toEqual(record);
    const plain = await encodeResumeData(
      { ...record, filePriorities: undefined, sequential: false },
      testHasher,
    );
    const decoded = await decodeResumeData(plain, testHasher);
    expect(decoded.filePriorities).toBeUndefined();
    expect(decoded.sequential).toBe(false);
  });

  it('a file truncated at every offset is a ResumeError, never a crash or a believed record', async () => {
    const bytes = await encodeResumeData(record, testHasher);
    for (let length = 0; length < bytes.length; length++) {
      expect(['RESUME_MALFORMED', 'RESUME_CHECKSUM']).toContain(
        await expectResumeError(bytes.subarray(0, length)),
      );
    }
  });

  it('any single flipped byte is caught (checksum or shape)', async () => {
    const bytes = await encodeResumeData(record, testHasher);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = damaged[at]! ^ 0x01;
      expect(['RESUME_MALFORMED', 'RESUME_CHECKSUM']).toContain(await expectResumeError(damaged));
    }
  });

  it('garbage is a ResumeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (garbage) => {
        await expectResumeError(garbage);
      }),
    );
    await expectResumeError(new SeededRandom(3).bytes(4096));
    await expectResumeError(new TextEncoder().encode('le'));
  });

  it('a newer version, a missing field or a bad value is refused even with a valid checksum', async () => {
    const withInner = async (inner: Map<string, unknown>) => {
      const body = encode(inner as never);
      return encode(
        new Map<string, Uint8Array>([
          ['data', body],
          ['sha1', await testHasher.sha1(body)],
        ]),
      );
    };
    const valid = new Map<string, unknown>([
      ['version', 1],
      ['info-hash', new Uint8Array(20)],
      ['info', new Uint8Array(3)],
      ['save-path', new TextEncoder().encode('/x')],
      ['pieces', new Uint8Array(1)],
      ['files', [[1, 2]]],
      ['sequential', 0],
    ]);
    expect((await decodeResumeData(await withInner(valid), testHasher)).files).toEqual([
      { size: 1, mtime: 2 },
    ]);
    const variants: [string, unknown, string][] = [
      ['version', 2, 'RESUME_VERSION'],
      ['version', undefined, 'RESUME_MALFORMED'],
      ['info-hash', new Uint8Array(19), 'RESUME_MALFORMED'],
      ['pieces', 5, 'RESUME_MALFORMED'],
      ['files', [[1]], 'RESUME_MALFORMED'],
      ['files', [[1, -2]], 'RESUME_MALFORMED'],
      ['files', [[2n ** 60n, 0]], 'RESUME_MALFORMED'],
      ['sequential', 2, 'RESUME_MALFORMED'],
      ['file-priorities', [8], 'RESUME_MALFORMED'],
      ['file-priorities', 3, 'RESUME_MALFORMED'],
    ];
    for (const [key, value, code] of variants) {
      const inner = new Map(valid);
      if (value === undefined) inner.delete(key);
      else inner.set(key, value);
      expect(await expectResumeError(await withInner(inner))).toBe(code);
    }
  });
});
