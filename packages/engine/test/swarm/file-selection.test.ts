/**
 * File selection on a multi-file torrent, on MemoryStorage: unselected files are never created (their bytes of
 * shared pieces live in the part file), the shared pieces are still verified and served, a restart finds them in
 * the part file, and selecting a file later moves its bytes out of the part file and completes it.
 */
import { Session, type Torrent, testingSettings } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type SwarmPeer, sameBytes } from './swarm-fixture.js';

// 16 KiB pieces over files at [0, 50 000) [50 000, 80 000) [80 000, 150 000) [150 000, 170 000): pieces 3, 4 and 9
// are shared; file 1 lies wholly inside the shared pieces 3 and 4.
const PIECE = 16 * 1024;
const FILES = [
  { name: 'a.bin', length: 50_000 },
  { name: 'b.bin', length: 30_000 },
  { name: 'c.bin', length: 70_000 },
  { name: 'd.bin', length: 20_000 },
];

let swarm: Swarm | undefined;
const extraSessions: Session[] = [];
afterEach(async () => {
  for (const session of extraSessions.splice(0)) await session.close();
  await swarm?.closeAll();
  swarm = undefined;
});

function storedNames(peer: SwarmPeer): string[] {
  return [...peer.platform.storage.files().keys()].map((key) => key.replace(/^\/data\//, '')).sort();
}

function fileBytes(peer: SwarmPeer, index: number): Uint8Array | undefined {
  return peer.platform.storage.files().get(`/data/swarm/${FILES[index]!.name}`);
}

function expectFile(peer: SwarmPeer, index: number, payload: Uint8Array): void {
  const offset = FILES.slice(0, index).reduce((sum, f) => sum + f.length, 0);
  const bytes = fileBytes(peer, index);
  expect(bytes, FILES[index]!.name).toBeDefined();
  expect(sameBytes(bytes!, payload.subarray(offset, offset + FILES[index]!.length))).toBe(true);
}

/** A new session over `peer`'s storage (a restart), adding the torrent with this selection. */
async function restart(peer: SwarmPeer, port: number, select?: { start: number; end: number }[]) {
  const session = await Session.create({
    platform: peer.platform,
    listen: { host: peer.host, port },
    settings: testingSettings(),
  });
  extraSessions.push(session);
  return session.addTorrent(swarm!.torrent.info, {
    savePath: '/data',
    ...(select && { selectOnly: select }),
  });
}

async function checked(torrent: Torrent): Promise<void> {
  await swarm!.clock.runUntil(() => torrent.state !== 'checking' && torrent.state !== 'stopped');
}

describe('file selection with a part file', () => {
  it('creates only the selected file, keeps shared pieces in the part file, serves them, and a restart finds them', async () => {
    const torrent = await makeSwarmTorrent(FILES, PIECE);
    const partName = `.${torrent.info.infoHashHex}.parts`;
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder], { selectOnly: [{ start: 2, end: 2 }] });
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    expect(storedNames(leecher)).toEqual([partName, 'swarm/c.bin']);
    expectFile(leecher, 2, torrent.payload);
    expect([4, 9].every((piece) => leecher.torrent.picker.have(piece))).toBe(true);
    // Progress is of what was asked for: complete at 100% although most of the torrent was never fetched.
    const status = leecher.torrent.status();
    expect(status.progress).toBe(1);
    expect(status.wantedVerifiedBytes).toBe(status.wantedBytes);
    expect(status.wantedBytes).toBeLessThan(status.totalBytes);
    expect(status.verifiedBytes).toBe(status.wantedBytes);

    // Another leecher of file 2 that only knows the first one: the shared pieces are read back through the part file.
    const second = await swarm.addLeecher({}, [leecher], { selectOnly: [{ start: 2, end: 2 }] });
    await swarm.clock.runUntil(() => second.torrent.complete);
    expectFile(second, 2, torrent.payload);
    expect(second.torrent.status().hashFailures).toBe(0);

    // Restart with the same selection: everything verifies from disk and the part file, nothing is fetched.
    await leecher.session.close();
    const again = await restart(leecher, 7001, [{ start: 2, end: 2 }]);
    await checked(again);
    expect(again.state).toBe('seeding');
    expect(again.status().downloadedBytes).toBe(0);
    expect(storedNames(leecher)).toEqual([partName, 'swarm/c.bin']);
  });

  it('selecting more files later moves their bytes out of the part file, and selecting all removes it', async () => {
    const torrent = await makeSwarmTorrent(FILES, PIECE, 11);
    const partName = `.${torrent.info.infoHashHex}.parts`;
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder], { selectOnly: [{ start: 2, end: 2 }] });
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    await leecher.session.close();

    // Files 1 and 2: piece 4 (files 1|2) comes out of the part file; only piece 3 (files 0|1) is fetched.
    const second = await restart(leecher, 7002, [{ start: 1, end: 2 }]);
    await checked(second);
    expect(second.picker.have(4)).toBe(true);
    expect(second.picker.have(3)).toBe(false);
    second.addPeer(seeder.host, seeder.session.listenPort);
    await swarm.clock.runUntil(() => second.complete);
    expect(second.status().downloadedBytes).toBe(PIECE);
    expect(storedNames(leecher)).toEqual([partName, 'swarm/b.bin', 'swarm/c.bin']);
    expectFile(leecher, 1, torrent.payload);
    expectFile(leecher, 2, torrent.payload);

    // At run time: select everything; the part file empties into the real files and is removed.
    second.setFilePriorities([1, 1, 1, 1]);
    await swarm.clock.runUntil(() => second.complete);
    await swarm.clock.runUntil(() => !storedNames(leecher).includes(partName));
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
    expect(storedNames(leecher)).toEqual(['swarm/a.bin', 'swarm/b.bin', 'swarm/c.bin', 'swarm/d.bin']);
  });

  it('a part file whose slot rotted or whose header is garbage costs only its pieces: they are fetched again', async () => {
    const torrent = await makeSwarmTorrent(FILES, PIECE, 13);
    const partIndex = FILES.length; // the part file is opened after the torrent's files
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder], { selectOnly: [{ start: 2, end: 2 }] });
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    await leecher.session.close();
    // Flip a byte inside the first slot (which holds piece 4 or 9): that piece fails its check on restart.
    leecher.platform.storage.corrupt(partIndex, 4096 + 100, '/data');
    const again = await restart(leecher, 7003, [{ start: 2, end: 2 }]);
    await checked(again);
    expect([4, 9].filter((piece) => !again.picker.have(piece))).toHaveLength(1);
    again.addPeer(seeder.host, seeder.session.listenPort);
    await swarm.clock.runUntil(() => again.complete);
    expect(again.status().downloadedBytes).toBe(PIECE);
    expectFile(leecher, 2, torrent.payload);
    await again.stop();

    // Garbage over the header: the part file is discarded, both shared pieces are fetched again.
    const part = await leecher.platform.storage.open('/data', [
      { path: [`.${torrent.info.infoHashHex}.parts`], length: 16, grows: true },
    ]);
    await part.write(0, 0, new Uint8Array(16).fill(0xee));
    await part.close();
    const third = await restart(leecher, 7004, [{ start: 2, end: 2 }]);
    await checked(third);
    expect(third.picker.have(4) || third.picker.have(9)).toBe(false);
    third.addPeer(seeder.host, seeder.session.listenPort);
    await swarm.clock.runUntil(() => third.complete);
    expect(third.status().downloadedBytes).toBe(2 * PIECE);
    expectFile(leecher, 2, torrent.payload);
    expect(storedNames(leecher)).toEqual([`.${torrent.info.infoHashHex}.parts`, 'swarm/c.bin']);
  });

  it('never creates an unselected zero-length file, and creates it once selected', async () => {
    const files = [
      { name: 'x.bin', length: 20_000 },
      { name: 'empty', length: 0 },
      { name: 'y.bin', length: 20_000 },
    ];
    const torrent = await makeSwarmTorrent(files, PIECE, 5);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const leecher = await swarm.addLeecher({}, [seeder], { selectOnly: [{ start: 0, end: 0 }] });
    await swarm.clock.runUntil(() => leecher.torrent.complete);
    expect(storedNames(leecher)).toEqual([`.${torrent.info.infoHashHex}.parts`, 'swarm/x.bin']);
    leecher.torrent.setFilePriorities([1, 1, 0]);
    await swarm.clock.runUntil(() => storedNames(leecher).includes('swarm/empty'));
    expect(leecher.platform.storage.files().get('/data/swarm/empty')?.length).toBe(0);
  });
});
