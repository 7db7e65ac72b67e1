import { bdict, encode, Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform, MemoryNetwork, VirtualClock } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { makeSwarmTorrent, sameBytes } from '../swarm/swarm-fixture.js';

const KiB = 1024;
let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function leecherAgainstScriptedSeeder(
  pieceLength: number,
  length: number,
  options: { extended?: boolean; beforeBitfield?: (seeder: ScriptedPeer) => void } = {},
) {
  const torrent = await makeSwarmTorrent([{ name: 'f.bin', length }], pieceLength);
  const network = new MemoryNetwork(new VirtualClock());
  const seedHost = network.host('10.0.0.9');
  const seeder = await ScriptedPeer.listen(seedHost, 7000, { extended: options.extended ?? false });
  const platform = createTestPlatform({ seed: 3, host: '10.0.0.1', network });
  session = await Session.create({
    platform,
    listen: { host: '10.0.0.1', port: 6881 },
    settings: testingSettings(),
  });
  const leech = session.addTorrent(torrent.info, { savePath: '/dl' });
  leech.addPeer('10.0.0.9', 7000);
  const clock = network.clock;
  await clock.runUntil(() => seeder.handshake !== undefined);
  const all = new Uint8Array(Math.ceil(torrent.info.pieceCount / 8));
  for (let i = 0; i < torrent.info.pieceCount; i++) all[i >> 3]! |= 0x80 >> (i & 7);
  options.beforeBitfield?.(seeder);
  seeder.send({ type: 'bitfield', bytes: all });
  await clock.runUntil(() => seeder.received.some((m) => m.type === 'interested'));
  return { torrent, seeder, leech, clock, platform };
}

describe('requests: pieces are made of blocks, pipelined', () => {
  it('requests the 4 distinct 16 KiB blocks of a 64 KiB piece, pipelined, and assembles them', async () => {
    const { torrent, seeder, leech, clock, platform } = await leecherAgainstScriptedSeeder(
      64 * KiB,
      64 * KiB,
    );
    seeder.send({ type: 'unchoke' });
    await clock.runUntil(() => seeder.requests().length > 0);
    await clock.advanceAsync(5);
    // More than one request is in flight before any block has been answered.
    expect(seeder.requests().length).toBeGreaterThanOrEqual(2);
    // Serve every request as it arrives, last-asked first: assembly is by offset.
    let answered = 0;
    while (!leech.complete) {
      const pending = seeder.requests().slice(answered);
      answered += pending.length;
      for (const r of pending.reverse()) {
        seeder.sendBlock(r.piece, r.begin, torrent.payload.subarray(r.begin, r.begin + r.length));
      }
      await clock.advanceAsync(10);
    }
    const requests = seeder.requests();
    expect(requests).toHaveLength(4);
    expect(requests.map((r) => r.begin).sort((a, b) => a - b)).toEqual([0, 16 * KiB, 32 * KiB, 48 * KiB]);
    expect(requests.every((r) => r.piece === 0 && r.length === 16 * KiB)).toBe(true);
    expect(sameBytes(platform.storage.files().get('/dl/f.bin')!, torrent.payload)).toBe(true);
  });

  it('keeps many requests in flight at once (never one at a time)', async () => {
    const { seeder, clock } = await leecherAgainstScriptedSeeder(256 * KiB, 4 * 1024 * KiB);
    seeder.send({ type: 'unchoke' });
    await clock.runUntil(() => seeder.requests().length > 0);
    await clock.advanceAsync(50);
    expect(seeder.requests().length).toBeGreaterThanOrEqual(2);
    const keys = new Set(seeder.requests().map((r) => `${r.piece}:${r.begin}`));
    expect(keys.size).toBe(seeder.requests().length);
  });
});

describe("the peer's advertised request queue (BEP 10 reqq)", () => {
  it("sends its extended handshake, and never has more requests in flight than the peer's reqq", async () => {
    const { torrent, seeder, leech, clock } = await leecherAgainstScriptedSeeder(256 * KiB, 2 * 1024 * KiB, {
      extended: true,
      beforeBitfield: (s) => {
        // The extended handshake may come before the bitfield (BEP 10 allows it after the handshake).
        s.send({ type: 'extended', extendedId: 0, payload: encode(bdict({ m: bdict({}), reqq: 3 })) });
      },
    });
    const ours = seeder.received.find((m) => m.type === 'extended');
    expect(ours).toMatchObject({ type: 'extended', extendedId: 0 });
    seeder.send({ type: 'unchoke' });
    let answered = 0;
    let maxInFlight = 0;
    while (!leech.complete) {
      await clock.advanceAsync(5);
      const pending = seeder.requests().slice(answered);
      maxInFlight = Math.max(maxInFlight, pending.length);
      answered += pending.length;
      for (const r of pending)
        seeder.sendBlock(
          r.piece,
          r.begin,
          torrent.payload.subarray(r.piece * 256 * KiB + r.begin, r.piece * 256 * KiB + r.begin + r.length),
        );
    }
    expect(maxInFlight).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });
});

describe('choking', () => {
  it('sends no request while choked, and re-requests the dropped blocks after UNCHOKE', async () => {
    const { seeder, clock } = await leecherAgainstScriptedSeeder(64 * KiB, 256 * KiB);
    seeder.send({ type: 'unchoke' });
    await clock.runUntil(() => seeder.requests().length >= 2);
    await clock.advanceAsync(10);
    const before = seeder.requests();
    seeder.send({ type: 'choke' });
    await clock.advanceAsync(50);
    const atChoke = seeder.requests().length;
    // Nothing answered; a long choked spell must produce no request at all.
    await clock.advanceAsync(30_000);
    expect(seeder.requests().length).toBe(atChoke);
    seeder.send({ type: 'unchoke' });
    await clock.runUntil(() => seeder.requests().length > atChoke);
    await clock.advanceAsync(10);
    const after = seeder
      .requests()
      .slice(atChoke)
      .map((r) => `${r.piece}:${r.begin}`);
    for (const r of before) expect(after).toContain(`${r.piece}:${r.begin}`);
  });
});
