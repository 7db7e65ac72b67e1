import { testHasher } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { allowedFastSet } from '../../src/extensions/allowed-fast.js';

describe('BEP 6 allowed-fast set', () => {
  const infoHash = new Uint8Array(20).fill(0xaa);
  it('matches the example in BEP 6 (80.4.4.200, info-hash 0xAA…, 1313 pieces)', async () => {
    expect(await allowedFastSet(testHasher, '80.4.4.200', infoHash, 1313, 7)).toEqual([
      1059, 431, 808, 1217, 287, 376, 1188,
    ]);
    expect(await allowedFastSet(testHasher, '80.4.4.200', infoHash, 1313, 9)).toEqual([
      1059, 431, 808, 1217, 287, 376, 1188, 353, 508,
    ]);
  });

  it('depends only on the /24, and is empty for IPv6 or an empty torrent', async () => {
    expect(await allowedFastSet(testHasher, '80.4.4.7', infoHash, 1313, 7)).toEqual(
      await allowedFastSet(testHasher, '80.4.4.200', infoHash, 1313, 7),
    );
    expect(await allowedFastSet(testHasher, '::1', infoHash, 1313)).toEqual([]);
    expect(await allowedFastSet(testHasher, '1.2.3.4', infoHash, 0)).toEqual([]);
  });

  it('never asks for more pieces than the torrent has', async () => {
    expect((await allowedFastSet(testHasher, '1.2.3.4', infoHash, 3, 10)).sort()).toEqual([0, 1, 2]);
  });
});
