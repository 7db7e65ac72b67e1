/**
 * Resume data on the virtual clock: a restart trusts what was recorded (hashing only a spot check), and every bad
 * resume record — garbage, truncated, for another torrent, a bitfield of the wrong length, a lying bitfield —
 * or data changed behind its back (a file deleted, truncated) means a hash check, never a crash or lost data.
 */
import {
  decodeResumeData,
  encodeResumeData,
  type ResumeOutcome,
  resumedMetadata,
  Session,
  type Settings,
  type Storage,
  type StorageFileSpec,
  type Torrent,
  testingSettings,
} from '@bitloom/engine';
import { createTestPlatform, MemoryResumeStore, type TestPlatform, testHasher } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, type SwarmPeer, type SwarmTorrent, sameBytes } from './swarm-fixture.js';

const PIECE = 64 * 1024;
let swarm: Swarm | undefined;
const sessions: Session[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  await swarm?.closeAll();
  swarm = undefined;
});

interface Run {
  readonly session: Session;
  readonly torrent: Torrent;
  readonly outcome: Promise<ResumeOutcome>;
}

let nextPort = 7000;

/** A leecher session on `platform` with resume data in `store`, connected to `seeder`. */
async function leech(
  platform: TestPlatform,
  store: MemoryResumeStore | undefined,
  seeder: SwarmPeer,
  options: {
    recheck?: boolean;
    selectOnly?: { start: number; end: number }[];
    settings?: Partial<Settings>;
  } = {},
): Promise<Run> {
  const session = await Session.create({
    platform,
    listen: { host: platform.host.address, port: nextPort++ },
    settings: testingSettings(options.settings),
    ...(store && { resume: store }),
  });
  sessions.push(session);
  const torrent = session.addTorrent(swarm!.torrent.info, {
    savePath: '/data',
    peers: [{ host: seeder.host, port: 6881 }],
    ...(options.recheck && { recheck: true }),
    ...(options.selectOnly && { selectOnly: options.selectOnly }),
  });
  const outcome = new Promise<ResumeOutcome>((resolve) => torrent.on('resume', resolve));
  return { session, torrent, outcome };
}

async function stopped(run: Run): Promise<void> {
  await run.session.close();
  sessions.splice(sessions.indexOf(run.session), 1);
}

/** A swarm with one seeder and a leecher platform; the leecher stops cleanly after `pieces` pieces. */
async function partlyDownloaded(
  torrent: SwarmTorrent,
  pieces: number,
): Promise<{ seeder: SwarmPeer; platform: TestPlatform; store: MemoryResumeStore; had: number }> {
  swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
  const seeder = await swarm.addSeeder();
  const platform = createTestPlatform({ seed: 99, host: '10.0.0.50', network: swarm.network });
  const store = new MemoryResumeStore();
  const first = await leech(platform, store, seeder);
  await swarm.clock.runUntil(() => first.torrent.status().piecesHad >= pieces);
  const had = first.torrent.status().piecesHad;
  await stopped(first);
  return { seeder, platform, store, had };
}

function popCount(byte: number): number {
  let count = 0;
  for (let bits = byte; bits > 0; bits >>= 1) count += bits & 1;
  return count;
}

async function completes(run: Run, torrent: SwarmTorrent, peer: { platform: TestPlatform }): Promise<void> {
  await swarm!.clock.runUntil(() => run.torrent.complete, { maxMs: 120_000 });
  expect(sameBytes(swarm!.contents(peer as SwarmPeer), torrent.payload)).toBe(true);
}

describe('resume data', () => {
  it('a clean stop records what is verified; the restart trusts it, hashes only a spot check, and fetches only the rest', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'a.bin', length: 2 * 1024 * 1024 }], PIECE);
    const { seeder, platform, store, had } = await partlyDownloaded(torrent, 10);
    expect(store.saves).toBeGreaterThan(0);
    const readsBefore = platform.storage.stats.reads;
    const again = await leech(platform, store, seeder);
    const outcome = await again.outcome;
    expect(outcome).toMatchObject({ resumed: true, trustedPieces: had, changedFiles: [] });
    expect(outcome.checkedPieces).toBeLessThanOrEqual(4);
    // The start-up read only the spot-checked pieces (one read each), not the whole file.
    expect(platform.storage.stats.reads - readsBefore).toBeLessThanOrEqual(4);
    await completes(again, torrent, { platform });
    expect(again.torrent.status().downloadedBytes).toBeLessThanOrEqual(
      (torrent.info.pieceCount - had) * PIECE,
    );
  });

  it('without a store, or with --recheck, every piece is hashed and verified data is still kept', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'b.bin', length: 1024 * 1024 }], PIECE);
    const { seeder, platform, store, had } = await partlyDownloaded(torrent, 6);
    const rechecked = await leech(platform, store, seeder, { recheck: true });
    expect(await rechecked.outcome).toMatchObject({
      resumed: false,
      reason: 'a full check was asked for',
      checkedPieces: torrent.info.pieceCount,
    });
    expect(rechecked.torrent.status().piecesHad).toBeGreaterThanOrEqual(had);
    await stopped(rechecked);
    const noStore = await leech(platform, undefined, seeder);
    expect(await noStore.outcome).toMatchObject({ resumed: false, checkedPieces: torrent.info.pieceCount });
    await completes(noStore, torrent, { platform });
  });

  const badRecords: [string, (valid: Uint8Array, other: Uint8Array) => Promise<Uint8Array[]>, RegExp][] = [
    ['garbage', async () => [new TextEncoder().encode('this is not bencode at all')], /RESUME_MALFORMED/],
    ['an empty file', async () => [new Uint8Array(0)], /RESUME_MALFORMED/],
    ['truncated in the middle', async (valid) => [valid.subarray(0, valid.length >> 1)], /RESUME_MALFORMED/],
    [
      'a flipped bit',
      async (valid) => {
        const bad = valid.slice();
        const inBody = bad.length >> 1;
        bad[inBody] = bad[inBody]! ^ 0x10;
        return [bad];
      },
      /RESUME_CHECKSUM/,
    ],
    ['the record of another torrent', async (_valid, other) => [other], /RESUME_MISMATCH: .*info-hash/],
    [
      'a bitfield of the wrong length',
      async (valid) => {
        const data = await decodeResumeData(valid, testHasher);
        return [
          await encodeResumeData({ ...data, pieces: new Uint8Array(data.pieces.length + 1) }, testHasher),
        ];
      },
      /RESUME_MALFORMED: .*bitfield/,
    ],
    [
      'another download folder',
      async (valid) => {
        const data = await decodeResumeData(valid, testHasher);
        return [await encodeResumeData({ ...data, savePath: '/elsewhere' }, testHasher)];
      },
      /RESUME_MISMATCH: .*folder/,
    ],
  ];
  for (const [what, damage, reason] of badRecords) {
    it(`a resume record that is ${what}: full hash check (reason reported), verified data kept, download completes`, async () => {
      const torrent = await makeSwarmTorrent([{ name: 'c.bin', length: 1024 * 1024 }], PIECE);
      const other = await makeSwarmTorrent([{ name: 'c.bin', length: 1024 * 1024 }], PIECE, 8);
      const { seeder, platform, store, had } = await partlyDownloaded(torrent, 6);
      const key = torrent.info.infoHashHex;
      const otherRecord = await encodeResumeData(
        {
          infoHash: other.info.infoHash,
          infoBytes: other.info.infoBytes,
          savePath: '/data',
          pieces: new Uint8Array(Math.ceil(other.info.pieceCount / 8)).fill(0xff),
          files: [{ size: 1024 * 1024, mtime: 1 }],
          sequential: false,
        },
        testHasher,
      );
      store.replace(key, await damage(store.newest(key)!, otherRecord));
      const again = await leech(platform, store, seeder);
      const outcome = await again.outcome;
      expect(outcome.resumed).toBe(false);
      expect(outcome.reason).toMatch(reason);
      expect(outcome.checkedPieces).toBe(torrent.info.pieceCount);
      expect(again.torrent.status().piecesHad).toBeGreaterThanOrEqual(had);
      await completes(again, torrent, { platform });
      expect(again.torrent.status().downloadedBytes).toBeLessThanOrEqual(
        (torrent.info.pieceCount - had) * PIECE,
      );
    });
  }

  it('the saved info dictionary lets a magnet link restart without fetching metadata (a damaged record: not found)', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'm.bin', length: 512 * 1024 }], PIECE);
    const { store } = await partlyDownloaded(torrent, 2);
    const info = await resumedMetadata(store, torrent.info.infoHash, testHasher);
    expect(info?.infoHashHex).toBe(torrent.info.infoHashHex);
    expect(await resumedMetadata(store, new Uint8Array(20), testHasher)).toBeUndefined();
    store.replace(torrent.info.infoHashHex, [new TextEncoder().encode('garbage')]);
    expect(await resumedMetadata(store, torrent.info.infoHash, testHasher)).toBeUndefined();
  });

  it('a damaged newest copy falls back to the previous one', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'd.bin', length: 1024 * 1024 }], PIECE);
    const { seeder, platform, store } = await partlyDownloaded(torrent, 6);
    const key = torrent.info.infoHashHex;
    const valid = store.newest(key)!;
    store.replace(key, [valid.subarray(0, 10), valid]);
    const again = await leech(platform, store, seeder);
    expect((await again.outcome).resumed).toBe(true);
  });

  it('a lying bitfield (claims every piece, half is on disk) is caught by the spot check: full check, then complete', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'e.bin', length: 2 * 1024 * 1024 }], PIECE);
    const { seeder, platform, store, had } = await partlyDownloaded(torrent, 12);
    const key = torrent.info.infoHashHex;
    const data = await decodeResumeData(store.newest(key)!, testHasher);
    const all = new Uint8Array(data.pieces.length).fill(0xff);
    store.replace(key, [await encodeResumeData({ ...data, pieces: all }, testHasher)]);
    const again = await leech(platform, store, seeder);
    const outcome = await again.outcome;
    expect(outcome.resumed).toBe(false);
    expect(outcome.reason).toMatch(/RESUME_LYING: piece \d+/);
    expect(again.torrent.status().piecesHad).toBe(had);
    await completes(again, torrent, { platform });
  });

  for (const change of ['deleted', 'truncated'] as const) {
    it(`a data file ${change} since the record: only its pieces are hashed and fetched again, the rest is trusted`, async () => {
      const files = [
        { name: 'one.bin', length: 512 * 1024 },
        { name: 'two.bin', length: 512 * 1024 },
        { name: 'three.bin', length: 512 * 1024 },
      ];
      const torrent = await makeSwarmTorrent(files, PIECE);
      const { seeder, platform, store } = await partlyDownloaded(torrent, torrent.info.pieceCount);
      if (change === 'deleted') platform.storage.removeFile(1, '/data');
      else platform.storage.truncate(1, 100 * 1024, '/data');
      const again = await leech(platform, store, seeder);
      const outcome = await again.outcome;
      expect(outcome.resumed).toBe(true);
      expect(outcome.changedFiles).toEqual([
        change === 'deleted' ? 'file 1 was deleted' : 'file 1 changed size (524288 → 102400 bytes)',
      ]);
      // File 1 holds pieces 8–15: they were hashed (the truncated one keeps its first whole piece).
      expect(outcome.trustedPieces).toBe(torrent.info.pieceCount - 8);
      await completes(again, torrent, { platform });
      const refetched = change === 'deleted' ? 8 : 7;
      expect(again.torrent.status().downloadedBytes).toBe(refetched * PIECE);
    });
  }

  it('pre-existing complete data and no resume record: adopted by the hash check, nothing downloaded', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'f.bin', length: 1024 * 1024 }], PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const copied = await swarm.addSeeder(); // its storage was filled before the session started
    const store = new MemoryResumeStore();
    await copied.session.close();
    const run = await leech(copied.platform, store, seeder);
    expect(await run.outcome).toMatchObject({ resumed: false, reason: 'no resume data' });
    await swarm.clock.runUntil(() => run.torrent.state === 'seeding');
    expect(run.torrent.status().downloadedBytes).toBe(0);
  });

  it('the first record is saved right after the start-up check, before anything is downloaded; the next at completion', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'h.bin', length: 1024 * 1024 }], PIECE);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 512 * 1024 });
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 6, host: '10.0.0.61', network: swarm.network });
    const store = new MemoryResumeStore();
    const save = store.save.bind(store);
    const saved: { downloadedBytes: number; piecesClaimed: number }[] = [];
    let run: Run | undefined;
    store.save = async (key, bytes) => {
      const data = await decodeResumeData(bytes, testHasher);
      const piecesClaimed = [...data.pieces].reduce((n, byte) => n + popCount(byte), 0);
      saved.push({ downloadedBytes: run!.torrent.status().downloadedBytes, piecesClaimed });
      return save(key, bytes);
    };
    run = await leech(platform, store, seeder);
    // A download of 2 s (virtual), well inside the 30 s save interval: no periodic save in between.
    await swarm.clock.runUntil(() => run.torrent.complete && store.saves >= 2, { maxMs: 20_000 });
    expect(saved).toEqual([
      { downloadedBytes: 0, piecesClaimed: 0 },
      { downloadedBytes: torrent.info.totalLength, piecesClaimed: torrent.info.pieceCount },
    ]);
  });

  it('periodic saves record only pieces whose data was flushed before the record was written', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'g.bin', length: 2 * 1024 * 1024 }], PIECE);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 512 * 1024 });
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 5, host: '10.0.0.60', network: swarm.network });
    // What a crash would leave: the files as they were at the last flush.
    let durable = new Map<string, Uint8Array>();
    const flushing: Storage = {
      open: async (root: string, files: readonly StorageFileSpec[]) => {
        const inner = await platform.storage.open(root, files);
        return {
          read: (i, p, l) => inner.read(i, p, l),
          write: (i, p, d) => inner.write(i, p, d),
          size: (i) => inner.size(i),
          remove: (i) => inner.remove(i),
          modifiedTime: (i) => inner.modifiedTime!(i),
          close: () => inner.close(),
          flush: async () => {
            await inner.flush();
            durable = platform.storage.files();
          },
        };
      },
    };
    const checked: number[] = [];
    const store = new MemoryResumeStore();
    const save = store.save.bind(store);
    store.save = async (key, bytes) => {
      const data = await decodeResumeData(bytes, testHasher);
      const onDisk = durable.get('/data/g.bin') ?? new Uint8Array();
      for (let piece = 0; piece < torrent.info.pieceCount; piece++) {
        if ((data.pieces[piece >> 3]! & (0x80 >> (piece & 7))) === 0) continue;
        const at = piece * PIECE;
        expect(sameBytes(onDisk.subarray(at, at + PIECE), torrent.payload.subarray(at, at + PIECE))).toBe(
          true,
        );
        checked.push(piece);
      }
      return save(key, bytes);
    };
    const session = await Session.create({
      platform: { ...platform, storage: flushing },
      listen: { host: platform.host.address, port: 7500 },
      settings: testingSettings({ resumeSaveIntervalMs: 1000 }),
      resume: store,
    });
    sessions.push(session);
    const run = session.addTorrent(torrent.info, {
      savePath: '/data',
      peers: [{ host: seeder.host, port: 6881 }],
    });
    await swarm.clock.runUntil(() => run.complete, { maxMs: 120_000 });
    await swarm.clock.runUntil(() => store.saves >= 3);
    // Several periodic saves while downloading, each checked above, and the last one claims every piece.
    expect(store.saves).toBeGreaterThan(2);
    const last = await decodeResumeData(store.newest(torrent.info.infoHashHex)!, testHasher);
    expect(last.pieces.every((byte) => byte === 0xff)).toBe(true);
    expect(checked.length).toBeGreaterThan(torrent.info.pieceCount);
  });

  it('done comes once every piece is written, before the flush; stopping waits for the flush and the record', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'flush.bin', length: 8 * PIECE }], PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 5, host: '10.0.0.50', network: swarm.network });
    const store = new MemoryResumeStore();
    const run = await leech(platform, store, seeder);
    await run.outcome; // the start-up save is done
    const release = platform.storage.holdFlushes();
    let flushesAtDone = -1;
    run.torrent.on('done', () => {
      flushesAtDone = platform.storage.stats.flushes;
    });
    const flushesBefore = platform.storage.stats.flushes;
    await swarm.clock.runUntil(() => flushesAtDone >= 0, { maxMs: 60_000 });
    expect(flushesAtDone).toBe(flushesBefore); // done did not wait for a flush
    expect(sameBytes(swarm.contents({ platform } as SwarmPeer), torrent.payload)).toBe(true);
    let closed = false;
    const closing = run.session.close().then(() => {
      closed = true;
    });
    sessions.splice(sessions.indexOf(run.session), 1);
    await swarm.clock.advanceAsync(1_000);
    expect(closed).toBe(false); // the flush after done is still held
    release();
    await closing;
    expect(platform.storage.stats.flushes).toBeGreaterThan(flushesBefore);
    // The record saved on the way out claims every piece.
    const again = await leech(platform, store, seeder);
    expect(await again.outcome).toMatchObject({ resumed: true, trustedPieces: 8 });
  });

  it('pause saves resume data; removeTorrent forgets it', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'p.bin', length: 1024 * 1024 }], PIECE);
    swarm = new Swarm(torrent, { bandwidthBytesPerSecond: 1024 * 1024 });
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 8, host: '10.0.0.90', network: swarm.network });
    const store = new MemoryResumeStore();
    const run = await leech(platform, store, seeder);
    await swarm.clock.runUntil(() => run.torrent.status().piecesHad >= 3);
    await run.torrent.pause();
    const saved = await decodeResumeData(store.newest(torrent.info.infoHashHex)!, testHasher);
    let recorded = 0;
    for (let piece = 0; piece < torrent.info.pieceCount; piece++) {
      if (saved.pieces[piece >> 3]! & (0x80 >> (piece & 7))) recorded++;
    }
    expect(recorded).toBe(run.torrent.status().piecesHad);
    await run.session.removeTorrent(torrent.info.infoHashHex);
    expect(await store.load(torrent.info.infoHashHex)).toEqual([]);
  });

  it('a store that fails to save is reported and the download goes on', async () => {
    const torrent = await makeSwarmTorrent([{ name: 'h.bin', length: 1024 * 1024 }], PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 6, host: '10.0.0.70', network: swarm.network });
    const store = new MemoryResumeStore();
    store.failSavesWith('STORAGE_DISK_FULL');
    const run = await leech(platform, store, seeder, { settings: { resumeSaveIntervalMs: 1000 } });
    const failures: string[] = [];
    run.torrent.on('resume-save-failed', (e) => failures.push(e.reason));
    await completes(run, torrent, { platform });
    await swarm.clock.runUntil(() => failures.length > 0);
    expect(failures[0]).toMatch(/injected/);
  });

  it('the file selection is saved and restored when the restart sets none (the skipped file is still not created)', async () => {
    const files = [
      // A piece is shared by both files, so the skipped file's part of it lives in the part file.
      { name: 'wanted.bin', length: 250 * 1024 },
      { name: 'skipped.bin', length: 262 * 1024 },
    ];
    const torrent = await makeSwarmTorrent(files, PIECE);
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    const platform = createTestPlatform({ seed: 7, host: '10.0.0.80', network: swarm.network });
    const store = new MemoryResumeStore();
    const first = await leech(platform, store, seeder, { selectOnly: [{ start: 0, end: 0 }] });
    await swarm.clock.runUntil(() => first.torrent.status().piecesHad >= 4);
    await stopped(first);
    const again = await leech(platform, store, seeder);
    await again.outcome;
    expect(again.torrent.picker.piecePriority(torrent.info.pieceCount - 1)).toBe(0);
    expect(again.torrent.picker.piecePriority(0)).toBeGreaterThan(0);
    await swarm.clock.runUntil(() => again.torrent.files()[0]!.status().progress === 1);
    expect([...platform.storage.files().keys()].filter((path) => path.endsWith('skipped.bin'))).toEqual([]);
  });
});
