/**
 * Clients that insist on protocol encryption (MSE/PE) download from a bitloom seeder: WebTorrent 3 with RC4
 * only (`secure: 2`) and libtorrent 2.0 with encryption forced both ways and RC4 only. (A client that provides
 * both methods gets plaintext after the handshake, as from libtorrent: see engine-webtorrent.test.ts.) Each transfer runs through a recording relay so the test can see
 * what crossed the wire: no plain BitTorrent handshake in either direction, i.e. the stream was RC4. Each
 * download is compared byte for byte with its source.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BitloomPeer, startBitloom, untilDone } from './harness/bitloom.js';
import type { JsonLine } from './harness/child-process.js';
import { runEncryptedLibtorrentLeecher } from './harness/libtorrent-encrypted.js';
import { differingFiles, type Fixture, makeFixtures } from './harness/payloads.js';
import type { PeerOptions } from './harness/peer-process.js';
import { type RecordingProxy, startRecordingProxy } from './harness/recording-proxy.js';
import { runWebTorrentLeecher } from './harness/webtorrent.js';

const PIECE_LENGTH = 256 * 1024;
const TIMEOUT_MS = 60_000;
const PROTOCOL_HEADER = Buffer.from('\x13BitTorrent protocol', 'latin1');

type RunLeecher = (options: PeerOptions & { timeoutMs?: number }) => Promise<{ lines: JsonLine[] }>;

const leechers: { client: string; run: RunLeecher }[] = [
  // WebTorrent's default (`secure: 1`) provides RC4 and plaintext, and bitloom then selects plaintext, as
  // libtorrent does; `secure: 2` provides RC4 only.
  {
    client: 'WebTorrent (secure: 2, RC4 only)',
    run: (options) => runWebTorrentLeecher({ ...options, secure: 2 }),
  },
  { client: 'libtorrent (out_enc_policy forced, RC4 only)', run: runEncryptedLibtorrentLeecher },
];

let work: string;
let fixtures: Fixture[] = [];
const bitloomPeers: BitloomPeer[] = [];
const proxies: RecordingProxy[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-engine-encryption-'));
  fixtures = await makeFixtures(work, [PIECE_LENGTH]);
});

afterEach(async () => {
  await Promise.all([
    ...bitloomPeers.splice(0).map((peer) => peer.close()),
    ...proxies.splice(0).map((proxy) => proxy.close()),
  ]);
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

for (const leecher of leechers) {
  describe(`${leecher.client} downloads from a bitloom seeder over MSE/PE`, () => {
    for (const kind of ['single file', 'multi-file']) {
      it(kind, async () => {
        const fixture = fixtures.find((f) => f.label.startsWith(kind));
        if (fixture === undefined) throw new Error(`no ${kind} fixture`);
        const seeder = await startBitloom({ torrentFile: fixture.torrentFile, savePath: fixture.dataDir });
        bitloomPeers.push(seeder);
        const refused: string[] = [];
        seeder.session.on('peer-refused', ({ address, reason, detail }) =>
          refused.push(`${address} ${reason}: ${detail}`),
        );
        const checked = await untilDone(seeder, TIMEOUT_MS);
        expect(checked.state).toBe('seeding');
        const proxy = await startRecordingProxy(seeder.port);
        proxies.push(proxy);
        const dir = join(work, `${leecher.client.split(' ')[0]}-${fixture.pieceLength}`);
        try {
          const result = await leecher.run({
            torrentFile: fixture.torrentFile,
            dataDir: dir,
            connect: [`127.0.0.1:${proxy.port}`],
            timeoutMs: TIMEOUT_MS,
          });
          expect(result.lines.at(-1)).toMatchObject({ event: 'complete' });
        } catch (error) {
          throw new Error(
            `${(error as Error).message}\n--- bitloom refused ---\n${refused.join('\n')}\n--- bitloom seeder events ---\n${seeder.log.join('\n')}`,
          );
        }
        expect(await differingFiles(fixture, dir)).toEqual([]);
        expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(checked.totalBytes);

        // What crossed the wire: the client opened with MSE, and neither side's BitTorrent handshake was
        // visible, so the payload stream was RC4 (plaintext-after-MSE would show bitloom's handshake).
        const carried = proxy.connections.filter((c) => c.fromClient.length > 0);
        expect(carried.length).toBeGreaterThan(0);
        for (const connection of carried) {
          expect(connection.fromClient[0]).not.toBe(19);
          expect(connection.fromClient.includes(PROTOCOL_HEADER)).toBe(false);
          expect(connection.fromServer.includes(PROTOCOL_HEADER)).toBe(false);
          expect(connection.fromServer.length).toBeGreaterThan(96);
        }
      });
    }
  });
}
