import { verifiedBytesOfRange } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm } from '../swarm/swarm-fixture.js';

const KiB = 1024;

/** A `have` from a string, one character per piece: `1` had, `0` not. */
const haveOf = (pieces: string) => (piece: number) => pieces[piece] === '1';

describe('verifiedBytesOfRange', () => {
  it('counts only the part of each verified piece that falls inside the range', () => {
    // pieces of 10 bytes; the range [15, 42) touches pieces 1..4
    expect(verifiedBytesOfRange(15, 27, 10, haveOf('11111'))).toBe(27);
    expect(verifiedBytesOfRange(15, 27, 10, haveOf('01000'))).toBe(5); // bytes 15..19
    expect(verifiedBytesOfRange(15, 27, 10, haveOf('00001'))).toBe(2); // bytes 40..41
    expect(verifiedBytesOfRange(15, 27, 10, haveOf('00110'))).toBe(20);
    expect(verifiedBytesOfRange(15, 27, 10, haveOf('10000'))).toBe(0);
  });

  it('an empty range has nothing verified', () => {
    expect(verifiedBytesOfRange(20, 0, 10, haveOf('111'))).toBe(0);
  });
});

describe('torrent.files()', () => {
  let swarm: Swarm | undefined;
  afterEach(async () => {
    await swarm?.closeAll();
    swarm = undefined;
  });

  it('lists each file with its offset and priority, and per-file verified bytes as pieces arrive', async () => {
    // 16 KiB pieces; a.bin fills pieces 0-1 and half of 2, b.bin the rest of 2 and piece 3 (partly), c.bin empty
    const torrent = await makeSwarmTorrent(
      [
        { name: 'a.bin', length: 40 * KiB },
        { name: 'b.bin', length: 20 * KiB },
        { name: 'c.bin', length: 0 },
      ],
      16 * KiB,
    );
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    const leecher = await swarm.addLeecher();
    await swarm.clock.runUntil(() => leecher.torrent.state === 'downloading');

    const before = leecher.torrent.files().map((f) => f.status());
    expect(before).toEqual([
      {
        index: 0,
        path: 'swarm/a.bin',
        length: 40 * KiB,
        offset: 0,
        padding: false,
        priority: 1,
        verifiedBytes: 0,
        progress: 0,
      },
      {
        index: 1,
        path: 'swarm/b.bin',
        length: 20 * KiB,
        offset: 40 * KiB,
        padding: false,
        priority: 1,
        verifiedBytes: 0,
        progress: 0,
      },
      {
        index: 2,
        path: 'swarm/c.bin',
        length: 0,
        offset: 60 * KiB,
        padding: false,
        priority: 1,
        verifiedBytes: 0,
        progress: 1,
      },
    ]);

    // Only b.bin: its pieces are 2 and 3; piece 2 is shared with a.bin, so a.bin gets 8 KiB of it.
    leecher.torrent.setFilePriorities([0, 5, 1]);
    leecher.torrent.addPeer(seeder.host, seeder.session.listenPort);
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    const [a, b, c] = leecher.torrent.files();
    expect(a!.priority).toBe(0);
    expect(b!.priority).toBe(5);
    expect(a!.verifiedBytes).toBe(8 * KiB);
    expect(a!.progress).toBeCloseTo(0.2);
    expect(b!.verifiedBytes).toBe(20 * KiB);
    expect(b!.progress).toBe(1);
    expect(c!.progress).toBe(1);
    // The handles are live and serialise as plain data.
    expect(JSON.parse(JSON.stringify(b))).toEqual(b!.status());
  });
});
