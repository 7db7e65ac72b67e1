/**
 * Interop through a tracker: bitloom and real clients (Transmission 3, aria2 1.36, libtorrent 2.0) that find
 * each other only through npm `bittorrent-tracker` on loopback (BEP 3 announces, BEP 12 tiers), never by a
 * hand-given address. Transmission never dials the 127.x peers a tracker gives it, so bitloom must dial it in
 * both directions (a complete bitloom torrent dials the peers its trackers return). Every download is compared
 * byte for byte with the source; every child is stopped by PID.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerConnection } from '@bitloom/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aria2Completion, startAria2Leecher, startAria2Seeder } from './harness/aria2.js';
import { type BitloomPeer, bitloomFailure, startBitloom, untilDone } from './harness/bitloom.js';
import { runCommand } from './harness/child-process.js';
import { startLibtorrentSeeder } from './harness/libtorrent.js';
import { filesEqual, makePayload, transmissionInfoHash } from './harness/tools.js';
import { startTracker, type TrackerProcess } from './harness/tracker.js';
import { startTransmission, type TransmissionInfo } from './harness/transmission.js';

const MiB = 1024 * 1024;
/** Tracker announce interval: short, so clients started earlier hear of later ones. */
const TRACKER_INTERVAL_MS = 2_000;

let work: string;
let tracker: TrackerProcess;
/** Everything started, stopped again in afterAll whatever a test did. */
const running: { stop(): Promise<void> }[] = [];

function track<T extends { stop(): Promise<void> }>(peer: T): T {
  running.push(peer);
  return peer;
}

function trackBitloom(peer: BitloomPeer): BitloomPeer {
  running.push({ stop: () => peer.close() });
  return peer;
}

/** A payload file of its own (so every test has its own info-hash) made into a torrent announcing to the tracker. */
interface Fixture {
  torrentFile: string;
  /** Holds `name` (the seeders' data folder). */
  seedDir: string;
  name: string;
  infoHash: string;
  length: number;
}

async function fixture(name: string, length: number, pieceKiB: number, seed: number): Promise<Fixture> {
  const seedDir = join(work, 'seed');
  await makePayload(seedDir, { seed, files: [{ path: name, length }] });
  const torrentFile = join(work, `${name}.torrent`);
  await runCommand('transmission-create', [
    '-o',
    torrentFile,
    '-s',
    String(pieceKiB),
    '-t',
    tracker.httpUrl,
    join(seedDir, name),
  ]);
  return { torrentFile, seedDir, name, infoHash: await transmissionInfoHash(torrentFile), length };
}

/** Waits until the tracker has heard from the client listening on `port` about this torrent. */
function announcedBy(fx: Fixture, port: number, seeding: boolean) {
  return tracker.waitForAnnounce(
    (a) => a.infoHash === fx.infoHash && a.port === port && (!seeding || a.left === 0),
    30_000,
  );
}

/** Transmission holds every piece verified and is not checking (it says `Idle` while seeding to nobody). */
function complete(info: TransmissionInfo): boolean {
  return info.percentDone === 100 && (info.state === 'Seeding' || info.state === 'Idle');
}

/** True when bitloom's event log shows a connection with the peer listening on `port`. */
function connectedTo(peer: BitloomPeer, port: number): boolean {
  return peer.log.some((line) => line.endsWith(`peer-connected 127.0.0.1:${port}`));
}

async function expectSameFile(fx: Fixture, dir: string): Promise<void> {
  expect(await filesEqual(join(fx.seedDir, fx.name), join(dir, fx.name))).toBe(true);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-tracker-swarm-'));
  tracker = track(await startTracker(TRACKER_INTERVAL_MS));
});

afterAll(async () => {
  for (const peer of running.reverse()) await peer.stop();
  await rm(work, { recursive: true, force: true });
});

describe('through a tracker, with Transmission', () => {
  it('bitloom downloads from a Transmission seeder (bitloom dials it)', async () => {
    const fx = await fixture('from-transmission.bin', 4 * MiB + 4321, 256, 101);
    const transmission = track(
      await startTransmission({
        torrentFile: fx.torrentFile,
        dataDir: fx.seedDir,
        configDir: join(work, 'transmission-seed'),
      }),
    );
    await transmission.waitFor(complete, 30_000);
    await announcedBy(fx, transmission.port, true);

    const leecher = trackBitloom(
      await startBitloom({ torrentFile: fx.torrentFile, savePath: join(work, 'out1') }),
    );
    const status = await untilDone(leecher, 60_000);
    expect(status.verifiedBytes).toBe(fx.length);
    expect(connectedTo(leecher, transmission.port)).toBe(true);
    await expectSameFile(fx, join(work, 'out1'));
    const uploaded = (await transmission.info()).uploadedBytes;
    expect(uploaded).toBeGreaterThan(fx.length * 0.9);
    await leecher.close();
    await transmission.stop();
  });

  it('Transmission downloads from a bitloom seeder (the complete bitloom torrent dials it)', async () => {
    const fx = await fixture('to-transmission.bin', 3 * MiB + 999, 256, 102);
    const dataDir = join(work, 'out2');
    const transmission = track(
      await startTransmission({
        torrentFile: fx.torrentFile,
        dataDir,
        configDir: join(work, 'transmission-leech'),
      }),
    );
    await announcedBy(fx, transmission.port, false);

    const seeder = trackBitloom(await startBitloom({ torrentFile: fx.torrentFile, savePath: fx.seedDir }));
    await untilDone(seeder, 30_000);
    try {
      await transmission.waitFor(complete, 90_000);
    } catch (error) {
      throw bitloomFailure(seeder, `Transmission did not complete: ${String(error)}`);
    }
    await expectSameFile(fx, dataDir);
    expect(connectedTo(seeder, transmission.port)).toBe(true);
    expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(fx.length);
    await transmission.stop();
    await seeder.close();
  });
});

describe('through a tracker, with aria2', () => {
  it('bitloom downloads from an aria2 seeder', async () => {
    const fx = await fixture('from-aria2.bin', 4 * MiB + 17, 256, 103);
    const aria2 = track(await startAria2Seeder({ torrentFile: fx.torrentFile, dataDir: fx.seedDir }));
    await announcedBy(fx, aria2.port, true);

    const leecher = trackBitloom(
      await startBitloom({ torrentFile: fx.torrentFile, savePath: join(work, 'out3') }),
    );
    const status = await untilDone(leecher, 60_000);
    expect(status.verifiedBytes).toBe(fx.length);
    expect(leecher.log.some((line) => line.includes('peer-connected 127.0.0.1:'))).toBe(true);
    await expectSameFile(fx, join(work, 'out3'));
    await leecher.close();
    await aria2.stop();
  });

  it('aria2 downloads from a bitloom seeder', async () => {
    const fx = await fixture('to-aria2.bin', 4 * MiB + 5, 256, 104);
    const seeder = trackBitloom(await startBitloom({ torrentFile: fx.torrentFile, savePath: fx.seedDir }));
    await untilDone(seeder, 30_000);
    await announcedBy(fx, seeder.port, true);

    const dataDir = join(work, 'out4');
    const aria2 = track(await startAria2Leecher({ torrentFile: fx.torrentFile, dataDir }));
    try {
      await aria2Completion(aria2, 30_000);
    } catch (error) {
      throw bitloomFailure(seeder, `aria2 did not complete: ${String(error)}`);
    }
    await expectSameFile(fx, dataDir);
    expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(fx.length);
    await seeder.close();
  });
});

describe('through a tracker, a mixed swarm', () => {
  it('one bitloom leecher takes data from bitloom, libtorrent and Transmission seeders', async () => {
    const fx = await fixture('swarm.bin', 8 * MiB + 77, 64, 105);
    const bitloomSeeder = trackBitloom(
      await startBitloom({ torrentFile: fx.torrentFile, savePath: fx.seedDir }),
    );
    const libtorrent = track(
      await startLibtorrentSeeder({ torrentFile: fx.torrentFile, dataDir: fx.seedDir }),
    );
    const transmission = track(
      await startTransmission({
        torrentFile: fx.torrentFile,
        dataDir: fx.seedDir,
        configDir: join(work, 'transmission-swarm'),
      }),
    );
    await untilDone(bitloomSeeder, 30_000);
    await transmission.waitFor(complete, 30_000);
    const seederPorts = [bitloomSeeder.port, libtorrent.port, transmission.port];
    for (const port of seederPorts) await announcedBy(fx, port, true);

    const leecher = trackBitloom(
      await startBitloom({ torrentFile: fx.torrentFile, savePath: join(work, 'out5') }),
    );
    // Unlimited, 8 MiB on loopback can finish from the first two seeders before the third handshake completes;
    // at 2 MB/s the download lasts ~4 s, so the test is about reaching all three, not about who is fastest.
    leecher.torrent.setRateLimits({ download: 2_000_000 });
    // Keep every connection the leecher makes, to read its per-peer byte count afterwards.
    const connections = new Set<PeerConnection>();
    leecher.torrent.on('peer-connected', () => {
      for (const peer of leecher.torrent.peers.values()) connections.add(peer);
    });
    const status = await untilDone(leecher, 90_000);
    expect(status.verifiedBytes).toBe(fx.length);
    await expectSameFile(fx, join(work, 'out5'));

    const receivedFrom = new Map<string, number>();
    for (const peer of connections) {
      receivedFrom.set(peer.address, (receivedFrom.get(peer.address) ?? 0) + peer.downloadRate.total);
    }
    const uploads = {
      bitloom: bitloomSeeder.torrent.status().uploadedBytes,
      // libtorrent reports once a second: this may lag behind.
      libtorrent: Number(libtorrent.latestStatus()?.uploaded ?? 0),
      transmission: (await transmission.info()).uploadedBytes,
    };
    const sources = [...receivedFrom].filter(([, bytes]) => bytes > 0);
    const diagnosis = `received per peer ${JSON.stringify([...receivedFrom])}; seeders' uploads ${JSON.stringify(uploads)}; seeders ${seederPorts}`;
    expect(sources.length, diagnosis).toBeGreaterThan(1);
    // All three seeders reached the leecher (an address is the seeder's port, or the ephemeral port of a
    // connection the seeder dialled itself); Transmission never dials, so the leecher dialled it.
    expect(connections.size, diagnosis).toBeGreaterThanOrEqual(3);
    expect(connectedTo(leecher, transmission.port), diagnosis).toBe(true);
    await leecher.close();
  });
});
