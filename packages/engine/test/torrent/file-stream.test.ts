/**
 * File read streams on a simulated swarm (virtual clock, in-memory network): reading while downloading, the
 * read-ahead window made time-critical, several streams, closing, aborting, and the typed errors that end them.
 */
import type { FileReadStream, Torrent } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSwarmTorrent, Swarm, sameBytes } from '../swarm/swarm-fixture.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

/** Reads a stream to its end in the background; `done` tells the clock when to stop. */
function consume(stream: FileReadStream) {
  const chunks: Uint8Array[] = [];
  const state = { done: false, error: undefined as unknown, bytes: () => concat(chunks) };
  void (async () => {
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (error) {
      state.error = error;
    }
    state.done = true;
  })();
  return state;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function verifiedOrder(torrent: Torrent): number[] {
  const order: number[] = [];
  torrent.on('piece', ({ piece }) => order.push(piece));
  return order;
}

/** A swarm with one seeder limited to `uploadRate` and a leecher not yet connected to it. */
async function slowSwarm(length: number, pieceLength: number, uploadRate: number) {
  const torrent = await makeSwarmTorrent([{ name: 'movie.mkv', length }], pieceLength);
  swarm = new Swarm(torrent);
  const seeder = await swarm.addSeeder();
  await swarm.clock.runUntil(() => seeder.torrent.complete);
  seeder.session.setRateLimits({ upload: uploadRate });
  const leecher = await swarm.addLeecher();
  await swarm.clock.runUntil(() => leecher.torrent.state === 'downloading');
  const connect = () => leecher.torrent.addPeer(seeder.host, seeder.session.listenPort);
  return { swarm, torrent, seeder, leecher, connect };
}

describe('file read streams', () => {
  it('reads the last MiB of a fresh download first: right bytes, its pieces verified first, long before the end', async () => {
    const { swarm, torrent, leecher, connect } = await slowSwarm(8 * MiB, 256 * KiB, 1 * MiB);
    const order = verifiedOrder(leecher.torrent);
    const file = leecher.torrent.files()[0]!;
    const reading = consume(file.createReadStream({ start: file.length - MiB }));
    connect();
    await swarm.clock.runUntil(() => reading.done, { maxMs: 60_000 });
    expect(reading.error).toBeUndefined();
    expect(sameBytes(reading.bytes(), torrent.payload.subarray(7 * MiB))).toBe(true);
    // The tail's four pieces were the first four verified, and the download is far from complete.
    expect(order.slice(0, 4).sort((a, b) => a - b)).toEqual([28, 29, 30, 31]);
    expect(leecher.torrent.complete).toBe(false);
    expect(leecher.torrent.status().verifiedBytes).toBeLessThan(4 * MiB);
    // The window is dropped once the stream ends, and the rest still downloads.
    expect(leecher.torrent.picker.criticalPieces()).toEqual([]);
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    expect(sameBytes(swarm.contents(leecher), torrent.payload)).toBe(true);
  });

  it('a seek into the middle mid-download: its pieces overtake every piece not already in flight', async () => {
    const { swarm, torrent, leecher, connect } = await slowSwarm(8 * MiB, 256 * KiB, 1 * MiB);
    connect();
    await swarm.clock.runUntil(() => leecher.torrent.status().piecesHad >= 6, { maxMs: 60_000 });
    const inFlight = new Set(leecher.torrent.picker.partialPieces());
    const order = verifiedOrder(leecher.torrent);
    const start = 4 * MiB + 1000; // not on a piece boundary
    const end = 5 * MiB + 999; // inclusive
    const wanted = [16, 17, 18, 19, 20].filter((piece) => !leecher.torrent.picker.have(piece));
    const reading = consume(leecher.torrent.files()[0]!.createReadStream({ start, end }));
    await swarm.clock.runUntil(() => reading.done, { maxMs: 60_000 });
    expect(reading.error).toBeUndefined();
    expect(sameBytes(reading.bytes(), torrent.payload.subarray(start, end + 1))).toBe(true);
    // Only pieces already requested before the seek may arrive before the stream's pieces.
    const positions = wanted.map((piece) => order.indexOf(piece));
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(0);
    const before = order.slice(0, Math.max(...positions));
    for (const piece of before) if (!wanted.includes(piece)) expect(inFlight.has(piece)).toBe(true);

    expect(leecher.torrent.complete).toBe(false);
  });

  it('several streams at once each get their own bytes', async () => {
    const { swarm, torrent, leecher, connect } = await slowSwarm(8 * MiB, 256 * KiB, 2 * MiB);
    const file = leecher.torrent.files()[0]!;
    const head = consume(file.createReadStream({ end: MiB - 1 }));
    const middle = consume(file.createReadStream({ start: 3 * MiB, end: 3 * MiB + 300 * KiB }));
    const tail = consume(file.createReadStream({ start: file.length - 100 }));
    connect();
    await swarm.clock.runUntil(() => head.done && middle.done && tail.done, { maxMs: 60_000 });
    expect(sameBytes(head.bytes(), torrent.payload.subarray(0, MiB))).toBe(true);
    expect(sameBytes(middle.bytes(), torrent.payload.subarray(3 * MiB, 3 * MiB + 300 * KiB + 1))).toBe(true);
    expect(sameBytes(tail.bytes(), torrent.payload.subarray(file.length - 100))).toBe(true);
    expect(leecher.torrent.complete).toBe(false);
  });

  it('leaving a for-await loop early closes the stream and drops its window; other streams keep theirs', async () => {
    const { swarm, leecher, connect } = await slowSwarm(8 * MiB, 256 * KiB, 1 * MiB);
    const file = leecher.torrent.files()[0]!;
    const kept = file.createReadStream({ start: 6 * MiB });
    const stream = file.createReadStream({ start: 2 * MiB });
    expect(leecher.torrent.picker.criticalPieces()).toContain(8);
    connect();
    let got = 0;
    const loop = (async () => {
      for await (const chunk of stream) {
        got += chunk.length;
        break;
      }
    })();
    await swarm.clock.runUntil(() => got > 0, { maxMs: 60_000 });
    await loop;
    expect(stream.ended).toBe(true);
    const critical = leecher.torrent.picker.criticalPieces();
    expect(critical.filter((piece) => piece >= 8 && piece < 24)).toEqual([]);
    expect(critical.length).toBeGreaterThan(0);
    expect(critical.every((piece) => piece >= 24)).toBe(true);
    await kept.close();
    expect(leecher.torrent.picker.criticalPieces()).toEqual([]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('an abort signal ends a waiting stream with STREAM_ABORTED and drops its window', async () => {
    const { swarm, leecher } = await slowSwarm(2 * MiB, 256 * KiB, 1 * MiB);
    const controller = new AbortController();
    const stream = leecher.torrent.files()[0]!.createReadStream({ signal: controller.signal });
    const pending = stream.next();
    await swarm.clock.advanceAsync(1000);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'STREAM_ABORTED' });
    await expect(stream.next()).rejects.toMatchObject({ code: 'STREAM_ABORTED' });
    expect(leecher.torrent.picker.criticalPieces()).toEqual([]);
  });

  it('a stopped torrent ends its streams with STREAM_TORRENT_STOPPED, and refuses new ones the same way', async () => {
    const { leecher } = await slowSwarm(2 * MiB, 256 * KiB, 1 * MiB);
    const file = leecher.torrent.files()[0]!;
    const pending = file.createReadStream().next();
    await leecher.torrent.stop();
    await expect(pending).rejects.toMatchObject({ code: 'STREAM_TORRENT_STOPPED' });
    await expect(file.createReadStream().next()).rejects.toMatchObject({ code: 'STREAM_TORRENT_STOPPED' });
  });

  it('a file that is not being downloaded (priority 0) ends with STREAM_FILE_SKIPPED instead of waiting forever', async () => {
    const { leecher } = await slowSwarm(2 * MiB, 256 * KiB, 1 * MiB);
    leecher.torrent.setFilePriorities([0]);
    await expect(leecher.torrent.files()[0]!.createReadStream().next()).rejects.toMatchObject({
      code: 'STREAM_FILE_SKIPPED',
    });
  });

  it('refuses ranges outside the file (caller bug) with STREAM_BAD_RANGE; an empty range ends at once', async () => {
    const { leecher } = await slowSwarm(2 * MiB, 256 * KiB, 1 * MiB);
    const file = leecher.torrent.files()[0]!;
    for (const range of [{ start: -1 }, { end: file.length }, { start: 10, end: 5 }, { start: 0.5 }]) {
      expect(() => file.createReadStream(range)).toThrow(
        expect.objectContaining({ code: 'STREAM_BAD_RANGE' }),
      );
    }
    expect(await file.createReadStream({ start: 10, end: 9 }).next()).toEqual({
      done: true,
      value: undefined,
    });
  });

  it('a stalled next piece is also requested from a second peer', async () => {
    // Pieces of two blocks: the stalled peer holds requests for every block of the stream's next piece.
    const torrent = await makeSwarmTorrent([{ name: 'movie.mkv', length: 8 * MiB }], 32 * KiB);
    swarm = new Swarm(torrent);
    const stuck = await swarm.addSeeder();
    const fast = await swarm.addSeeder();
    await swarm.clock.runUntil(() => stuck.torrent.complete && fast.torrent.complete);
    stuck.torrent.setRateLimits({ upload: 1 }); // accepts requests, (almost) never serves a block
    fast.torrent.setRateLimits({ upload: 256 * KiB }); // 32 s for the whole torrent: no endgame here
    const leecher = await swarm.addLeecher({ streamStallMs: 2000 }, [stuck]);
    await swarm.clock.runUntil(() => leecher.torrent.connectionCount === 1);
    const reading = consume(
      leecher.torrent.files()[0]!.createReadStream({ start: 40 * 32 * KiB, end: 41 * 32 * KiB - 1 }),
    );
    await swarm.clock.advanceAsync(500);
    expect(leecher.torrent.picker.blockRequesters(40, 0)).toHaveLength(1);
    leecher.torrent.addPeer(fast.host, fast.session.listenPort);
    // Well inside the 20 s request timeout that would otherwise move the blocks to the other peer.
    await swarm.clock.runUntil(() => reading.done, { maxMs: 8_000 });
    expect(reading.error).toBeUndefined();
    expect(sameBytes(reading.bytes(), torrent.payload.subarray(40 * 32 * KiB, 41 * 32 * KiB))).toBe(true);
    // The stuck peer sent less than the piece: the rest came from the second peer's duplicate requests.
    expect(stuck.torrent.status().uploadedBytes).toBeLessThan(32 * KiB);
  });
  it('a file in the middle of a multi-file torrent, its bounds inside pieces: the right bytes', async () => {
    const torrent = await makeSwarmTorrent(
      [
        { name: 'a.srt', length: 100_000 },
        { name: 'b.mkv', length: 3 * MiB + 12_345 },
        { name: 'c.nfo', length: 5_000 },
      ],
      256 * KiB,
    );
    swarm = new Swarm(torrent);
    const seeder = await swarm.addSeeder();
    await swarm.clock.runUntil(() => seeder.torrent.complete);
    seeder.session.setRateLimits({ upload: 1 * MiB });
    const leecher = await swarm.addLeecher({}, [seeder]);
    const [, movie, info] = leecher.torrent.files();
    const whole = consume(movie!.createReadStream());
    const middle = consume(movie!.createReadStream({ start: 1_000_000, end: 1_300_000 }));
    const last = consume(info!.createReadStream());
    await swarm.clock.runUntil(() => whole.done && middle.done && last.done, { maxMs: 60_000 });
    const at = movie!.offset;
    expect(sameBytes(whole.bytes(), torrent.payload.subarray(at, at + movie!.length))).toBe(true);
    expect(sameBytes(middle.bytes(), torrent.payload.subarray(at + 1_000_000, at + 1_300_001))).toBe(true);
    expect(sameBytes(last.bytes(), torrent.payload.subarray(info!.offset))).toBe(true);
  });

  it('a full disk ends a waiting stream with STREAM_TORRENT_ERROR, its cause the storage error', async () => {
    const { swarm, leecher, connect } = await slowSwarm(4 * MiB, 256 * KiB, 1 * MiB);
    leecher.platform.storage.failWritesWith('STORAGE_DISK_FULL');
    const reading = consume(leecher.torrent.files()[0]!.createReadStream({ start: 3 * MiB }));
    connect();
    await swarm.clock.runUntil(() => reading.done, { maxMs: 60_000 });
    expect(reading.error).toMatchObject({
      code: 'STREAM_TORRENT_ERROR',
      cause: { code: 'STORAGE_DISK_FULL' },
    });
    expect(leecher.torrent.state).toBe('error');
  });

  it('a piece that can no longer be read is fetched again, and the stream waits for it instead of failing', async () => {
    const { swarm, torrent, leecher, connect } = await slowSwarm(2 * MiB, 256 * KiB, 4 * MiB);
    connect();
    await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 60_000 });
    const lost: number[] = [];
    leecher.torrent.on('piece-lost', ({ piece }) => lost.push(piece));
    leecher.platform.storage.failReadsWith('STORAGE_IO');
    const reading = consume(leecher.torrent.files()[0]!.createReadStream({ start: MiB, end: MiB + 999 }));
    await swarm.clock.runUntil(() => lost.length > 0, { maxMs: 10_000 });
    expect(lost).toEqual([4]);
    expect(reading.done).toBe(false);
    leecher.platform.storage.failReadsWith(null);
    await swarm.clock.runUntil(() => reading.done, { maxMs: 60_000 });
    expect(reading.error).toBeUndefined();
    expect(sameBytes(reading.bytes(), torrent.payload.subarray(MiB, MiB + 1000))).toBe(true);
  });
});
