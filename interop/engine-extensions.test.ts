/**
 * bitloom's extensions against libtorrent 2.0 on loopback: peer exchange (BEP 11 ut_pex) and the Fast extension
 * (BEP 6). PEX: bitloom, given only one libtorrent peer, learns a second seeder from it and downloads from that
 * seeder. Fast: a recording relay between bitloom and a libtorrent seeder shows HAVE ALL, ALLOWED FAST and — once
 * libtorrent is made to choke bitloom with requests in flight — REJECT REQUEST on the wire; bitloom gets the
 * rejected blocks from another seeder and completes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageFramer, type PeerConnection, type PeerMessage } from '@bitloom/engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BitloomPeer, startBitloom, untilDone } from './harness/bitloom.js';
import { libtorrentCreate } from './harness/libtorrent.js';
import { startTunedLibtorrent } from './harness/libtorrent-tuned.js';
import type { PeerProcess } from './harness/peer-process.js';
import { type RecordingProxy, startRecordingProxy } from './harness/recording-proxy.js';
import { filesEqual, makePayload } from './harness/tools.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** 4 MiB and a bit, 64 KiB pieces: 65 pieces, enough for libtorrent's allowed-fast set (and bitloom's ≥ 20). */
const PAYLOAD_LENGTH = 4 * MiB + 4321;
const PIECE_LENGTH = 64 * KiB;
/** libtorrent ignores rate limits for peers on the local network unless told otherwise. */
const LIMITS_ON_LOOPBACK = { ignore_limits_on_local_network: false };

let work: string;
let torrentFile: string;
let dataDir: string;
const bitlooms: BitloomPeer[] = [];
const clients: PeerProcess[] = [];
const proxies: RecordingProxy[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-extensions-'));
  dataDir = join(work, 'seed');
  await makePayload(dataDir, { seed: 19, files: [{ path: 'payload.bin', length: PAYLOAD_LENGTH }] });
  torrentFile = join(work, 'payload.torrent');
  await libtorrentCreate(join(dataDir, 'payload.bin'), torrentFile, PIECE_LENGTH);
});

afterEach(async () => {
  await Promise.all([
    ...bitlooms.splice(0).map((peer) => peer.close()),
    ...clients.splice(0).map((peer) => peer.stop()),
    ...proxies.splice(0).map((proxy) => proxy.close()),
  ]);
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Polls `condition` every 100 ms until it holds; rejects with `describe()` after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The messages of one direction of a recorded connection (handshake first), framed by bitloom's own codec. */
function messagesOf(bytes: Buffer): PeerMessage[] {
  const messages: PeerMessage[] = [];
  const framer = new MessageFramer({
    maxMessageLength: 1 << 20,
    expectHandshake: true,
    onHandshake: () => {},
    onMessage: (message) => messages.push(message),
    onError: (error) => {
      throw error;
    },
  });
  framer.push(new Uint8Array(bytes));
  return messages;
}

const blockKey = (m: { piece: number; begin: number }) => `${m.piece}:${m.begin}`;

describe('PEX (BEP 11) with libtorrent', () => {
  it('bitloom given only a libtorrent leecher learns the libtorrent seeder behind it through PEX and downloads from it', async () => {
    const seeder = await startTunedLibtorrent('seed', { torrentFile, dataDir });
    clients.push(seeder);
    // The go-between downloads slowly (so it stays a leecher, connected to the seeder) and uploads slowly (so
    // bitloom cannot finish from it before PEX names the seeder).
    const middle = await startTunedLibtorrent('leech', {
      torrentFile,
      dataDir: join(work, 'pex-middle'),
      connect: [`127.0.0.1:${seeder.port}`],
      settings: { ...LIMITS_ON_LOOPBACK, download_rate_limit: 16 * KiB, upload_rate_limit: 4 * KiB },
      timeoutMs: 150_000,
    });
    clients.push(middle);
    await waitFor(
      () => Number(middle.latestStatus()?.peers ?? 0) >= 1,
      20_000,
      () => `the go-between never connected to the seeder: ${JSON.stringify(middle.latestStatus())}`,
    );
    const savePath = join(work, 'pex-bitloom');
    const bitloom = await startBitloom({ torrentFile, savePath, connect: [`127.0.0.1:${middle.port}`] });
    bitlooms.push(bitloom);
    // Every connection bitloom makes, kept to read its byte count at the end (a connection closed when the
    // download completes keeps its counters; sampling the live ones could miss the last burst on loopback).
    const connections = new Set<PeerConnection>();
    bitloom.torrent.on('peer-connected', () => {
      for (const peer of bitloom.torrent.peers.values()) connections.add(peer);
    });
    await waitFor(
      () => bitloom.torrent.knownPeers.get('127.0.0.1', seeder.port)?.source === 'pex',
      90_000,
      () => `no PEX entry for the seeder; bitloom events:\n${bitloom.log.join('\n')}`,
    );
    const status = await untilDone(bitloom, 60_000);
    expect(status.verifiedBytes).toBe(PAYLOAD_LENGTH);
    const receivedFrom = [...connections].map((peer) => ({
      address: peer.address,
      bytes: peer.downloadRate.total,
    }));
    expect(await filesEqual(join(dataDir, 'payload.bin'), join(savePath, 'payload.bin'))).toBe(true);
    // The go-between uploads 4 KiB/s: most of the payload can only have come from the seeder bitloom learned of.
    const fromMiddle = receivedFrom
      .filter((p) => p.address === `127.0.0.1:${middle.port}`)
      .reduce((sum, p) => sum + p.bytes, 0);
    const total = receivedFrom.reduce((sum, p) => sum + p.bytes, 0);
    expect(total - fromMiddle).toBeGreaterThan(PAYLOAD_LENGTH / 2);
    // And the seeder's own counter agrees (its status line comes once a second).
    await waitFor(
      () => Number(seeder.latestStatus()?.uploaded ?? 0) > PAYLOAD_LENGTH / 2,
      5_000,
      () => `seeder status: ${JSON.stringify(seeder.latestStatus())}`,
    );
  }, 150_000);
});

describe('the Fast extension (BEP 6) with libtorrent', () => {
  it('HAVE ALL and ALLOWED FAST from a libtorrent seeder; when it chokes bitloom mid-download its REJECTs are re-requested from another seeder', async () => {
    // Seeder A serves at 256 KiB/s for 3 s, then has no unchoke slots left: it chokes bitloom with requests in
    // flight, rejecting them (BEP 6), and offers allowed-fast pieces. Seeder B, also slow, serves the rest.
    const seederA = await startTunedLibtorrent('seed', {
      torrentFile,
      dataDir,
      settings: { ...LIMITS_ON_LOOPBACK, upload_rate_limit: 256 * KiB, unchoke_interval: 1 },
      later: { afterSeconds: 3, settings: { unchoke_slots_limit: 0 } },
    });
    clients.push(seederA);
    const seederB = await startTunedLibtorrent('seed', {
      torrentFile,
      dataDir,
      settings: { ...LIMITS_ON_LOOPBACK, upload_rate_limit: 256 * KiB },
    });
    clients.push(seederB);
    const proxyA = await startRecordingProxy(seederA.port, 16 * MiB);
    const proxyB = await startRecordingProxy(seederB.port, 16 * MiB);
    proxies.push(proxyA, proxyB);
    const savePath = join(work, 'fast-bitloom');
    const bitloom = await startBitloom({
      torrentFile,
      savePath,
      connect: [`127.0.0.1:${proxyA.port}`, `127.0.0.1:${proxyB.port}`],
    });
    bitlooms.push(bitloom);
    const status = await untilDone(bitloom, 60_000);
    expect(status.verifiedBytes).toBe(PAYLOAD_LENGTH);
    expect(await filesEqual(join(dataDir, 'payload.bin'), join(savePath, 'payload.bin'))).toBe(true);

    expect(proxyA.connections.length).toBeGreaterThan(0);
    const fromA = proxyA.connections.flatMap((c) => messagesOf(c.fromServer));
    const toA = proxyA.connections.flatMap((c) => messagesOf(c.fromClient));
    const fromB = proxyB.connections.flatMap((c) => messagesOf(c.fromServer));
    const types = new Set(fromA.map((m) => m.type));
    expect(types).toContain('have-all');
    expect(types).toContain('allowed-fast');
    expect(types).toContain('reject-request');
    // bitloom asked before it was rejected: every REJECT answers a REQUEST bitloom sent.
    const askedOfA = new Set(toA.flatMap((m) => (m.type === 'request' ? [blockKey(m)] : [])));
    const rejected = fromA.flatMap((m) => (m.type === 'reject-request' ? [blockKey(m)] : []));
    for (const block of rejected) expect(askedOfA.has(block)).toBe(true);
    // Each rejected block that A never sent later came from B.
    const servedByA = new Set(fromA.flatMap((m) => (m.type === 'piece' ? [blockKey(m)] : [])));
    const servedByB = new Set(fromB.flatMap((m) => (m.type === 'piece' ? [blockKey(m)] : [])));
    const elsewhere = rejected.filter((block) => !servedByA.has(block));
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const block of elsewhere) expect(servedByB.has(block)).toBe(true);
  }, 90_000);
});
