import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitloomError } from '../../src/errors.js';
import { parseInfoDictionary, parseTorrent } from '../../src/metainfo/index.js';
import { ascii, concat, hasher, multiFileInfo, torrentBytes } from './helpers.js';

/** Parses and reports how it ended: 'ok', or the error (which must be a BitloomError). */
async function outcome(bytes: Uint8Array): Promise<'ok' | BitloomError> {
  try {
    await parseTorrent(bytes, hasher);
    return 'ok';
  } catch (error) {
    if (!(error instanceof BitloomError)) throw error;
    return error;
  }
}

const seed = torrentBytes(
  multiFileInfo(
    'seed',
    [
      { path: ['a', 'b.txt'], length: 30 },
      { path: ['.pad', '2'], length: 2, attr: 'p' },
      { path: ['..', 'c'], length: 0 },
    ],
    16,
    { private: 1 },
  ),
  { 'url-list': 'http://seed.example/', comment: 'hi' },
);

describe('parseTorrent on hostile bytes throws only BitloomError', () => {
  it('random bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        await outcome(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('random bencode-looking text (property)', async () => {
    const token = fc.constantFrom(
      'd',
      'l',
      'e',
      'i',
      '0',
      '1',
      '5',
      '-',
      ':',
      '4:info',
      '4:name',
      '6:pieces',
      '5:files',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 80 }), async (tokens) => {
        await outcome(ascii(tokens.join('')));
      }),
      { numRuns: 500 },
    );
  });

  it('mutations of a valid torrent (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const mutated = seed.slice();
          for (const [position, value] of edits) mutated[position] = value;
          await outcome(mutated);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every truncated prefix of a valid torrent', async () => {
    expect(await outcome(seed)).toBe('ok');
    for (let end = 0; end < seed.length; end++) {
      expect(await outcome(seed.subarray(0, end))).toBeInstanceOf(BitloomError);
    }
  });

  it('parseInfoDictionary on random bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        try {
          await parseInfoDictionary(concat(ascii('d'), bytes), hasher);
        } catch (error) {
          expect(error).toBeInstanceOf(BitloomError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
