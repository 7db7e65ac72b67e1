/**
 * A seeding session accepts MSE/PE (the handshake WebTorrent and libtorrent open with when they insist on
 * encryption): an encrypted peer gets the BitTorrent handshake, bitfield and a block through RC4, a
 * plaintext-selecting MSE peer works too, and garbage is refused with a `peer-refused` event.
 */
import { createTestPlatform, SeededRandom } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMse, type MseConnection } from '../../src/crypto/mse-handshake.js';
import { MSE_METHOD_PLAINTEXT, MSE_METHOD_RC4 } from '../../src/crypto/mse-protocol.js';
import {
  encodeHandshake,
  encodeMessage,
  type Handshake,
  MessageFramer,
  type PeerMessage,
  reservedBits,
} from '../../src/wire/index.js';
import { makeSwarmTorrent, Swarm } from '../swarm/swarm-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

async function seedingSwarm() {
  const torrent = await makeSwarmTorrent([{ name: 'f.bin', length: 100_000 }], 32 * 1024);
  swarm = new Swarm(torrent);
  const seeder = await swarm.addSeeder();
  await swarm.clock.runUntil(() => seeder.torrent.status().state === 'seeding');
  const client = createTestPlatform({ seed: 9, host: '10.0.0.200', network: swarm.network });
  return { swarm, torrent, seeder, client };
}

describe('session accepts MSE/PE', () => {
  // A peer that provides both methods gets plaintext after the obfuscated handshake (as from libtorrent).
  for (const [provided, method, what] of [
    [MSE_METHOD_RC4, 'rc4', 'RC4 only'],
    [MSE_METHOD_RC4 | MSE_METHOD_PLAINTEXT, 'plaintext', 'both methods'],
    [MSE_METHOD_PLAINTEXT, 'plaintext', 'plaintext only'],
  ] as const) {
    it(`an MSE peer providing ${what} handshakes (${method}) and downloads a block, verified`, async () => {
      const { swarm, torrent, seeder, client } = await seedingSwarm();
      let raw: Awaited<ReturnType<typeof client.tcp.connect>> | undefined;
      void client.tcp.connect(seeder.host, 6881, new AbortController().signal).then((c) => {
        raw = c;
      });
      await swarm.clock.runUntil(() => raw !== undefined);
      const ourHandshake = encodeHandshake({
        reserved: reservedBits({ fast: true }),
        infoHash: torrent.info.infoHash,
        peerId: new Uint8Array(20).fill(0x61),
      });
      let mse: MseConnection | undefined;
      void connectMse(raw!, {
        clock: swarm.clock,
        random: new SeededRandom(4),
        timeoutMs: 10_000,
        skey: torrent.info.infoHash,
        providedMethods: provided,
        initialPayload: ourHandshake,
      }).then((result) => {
        mse = result;
      });
      await swarm.clock.runUntil(() => mse !== undefined);
      expect(mse!.connection.encryption).toBe(method);

      let handshake: Handshake | undefined;
      const messages: PeerMessage[] = [];
      let block: Uint8Array | undefined;
      const framer = new MessageFramer({
        maxMessageLength: 1 << 20,
        expectHandshake: true,
        onHandshake: (h) => {
          handshake = h;
        },
        onMessage: (m) => {
          messages.push(m);
          if (m.type === 'piece') block = m.block.bytes().slice();
        },
        onError: (e) => {
          throw e;
        },
      });
      mse!.connection.setHandlers({ data: (c) => framer.push(c), drain: () => {}, close: () => {} });
      await swarm.clock.runUntil(() => handshake !== undefined && messages.length > 0);
      expect(handshake!.infoHash).toEqual(torrent.info.infoHash);
      expect(messages[0]!.type).toBe('have-all');

      mse!.connection.write(encodeMessage({ type: 'interested' }));
      await swarm.clock.runUntil(() => messages.some((m) => m.type === 'unchoke'), { maxMs: 60_000 });
      mse!.connection.write(encodeMessage({ type: 'request', piece: 1, begin: 16_384, length: 16_384 }));
      await swarm.clock.runUntil(() => block !== undefined);
      expect(block).toEqual(torrent.payload.subarray(32 * 1024 + 16_384, 32 * 1024 + 32_768));
    });
  }

  it('hostile: a BitTorrent handshake naming another torrent than the MSE SKEY is refused', async () => {
    const { swarm, torrent, seeder, client } = await seedingSwarm();
    const other = await makeSwarmTorrent([{ name: 'g.bin', length: 5000 }], 16 * 1024, 8);
    seeder.session.addTorrent(other.info, { savePath: '/other' });
    const refused: { reason: string }[] = [];
    seeder.session.on('peer-refused', (event) => refused.push(event));
    let closed = false;
    void client.tcp.connect(seeder.host, 6881, new AbortController().signal).then(async (c) => {
      const { connection } = await connectMse(c, {
        clock: swarm.clock,
        random: new SeededRandom(4),
        timeoutMs: 10_000,
        skey: other.info.infoHash,
        initialPayload: encodeHandshake({
          reserved: new Uint8Array(8),
          infoHash: torrent.info.infoHash,
          peerId: new Uint8Array(20).fill(0x62),
        }),
      });
      connection.setHandlers({
        data: () => {},
        drain: () => {},
        close: () => {
          closed = true;
        },
      });
    });
    await swarm.clock.runUntil(() => closed && refused.length > 0);
    expect(refused[0]).toMatchObject({ reason: 'unknown-info-hash' });
  });

  it('hostile: garbage instead of a handshake is refused (peer-refused, bad-handshake) and closed', async () => {
    const { swarm, seeder, client } = await seedingSwarm();
    const refused: { reason: string; detail: string }[] = [];
    seeder.session.on('peer-refused', (event) => refused.push(event));
    let closed = false;
    void client.tcp.connect(seeder.host, 6881, new AbortController().signal).then((c) => {
      c.setHandlers({
        data: () => {},
        drain: () => {},
        close: () => {
          closed = true;
        },
      });
      const garbage = new SeededRandom(1).bytes(2048);
      garbage[0] = 0xee;
      c.write(garbage);
    });
    await swarm.clock.runUntil(() => closed && refused.length > 0);
    expect(refused[0]).toMatchObject({ reason: 'bad-handshake' });
    expect(refused[0]!.detail).toContain('MSE_NO_SYNC');
  });

  it('an MSE peer asking for a torrent the session does not have is refused (unknown-info-hash)', async () => {
    const { swarm, seeder, client } = await seedingSwarm();
    const refused: { reason: string }[] = [];
    seeder.session.on('peer-refused', (event) => refused.push(event));
    let failure: { code?: string } | undefined;
    void client.tcp.connect(seeder.host, 6881, new AbortController().signal).then((c) =>
      connectMse(c, {
        clock: swarm.clock,
        random: new SeededRandom(4),
        timeoutMs: 10_000,
        skey: new Uint8Array(20).fill(0xcc),
      }).catch((error) => {
        failure = error;
      }),
    );
    await swarm.clock.runUntil(() => failure !== undefined && refused.length > 0);
    expect(refused[0]).toMatchObject({ reason: 'unknown-info-hash' });
    expect(failure!.code).toBe('MSE_CLOSED');
  });
});
