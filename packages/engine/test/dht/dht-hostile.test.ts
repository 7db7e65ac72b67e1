import { createTestPlatform, MemoryNetwork, type TestPlatform, VirtualClock } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bencode/binary-string.js';
import { encode } from '../../src/bencode/encoder.js';
import type { BencodeValue } from '../../src/bencode/types.js';
import { encodeCompactPeer } from '../../src/dht/compact.js';
import { Dht } from '../../src/dht/dht.js';
import {
  decodeKrpc,
  encodeQuery,
  encodeResponse,
  type KrpcErrorMessage,
  type KrpcMessage,
  type KrpcResponse,
  krpcDict,
} from '../../src/dht/krpc-codec.js';
import type { UdpSocket } from '../../src/platform/network.js';

const DHT_HOST = '10.0.0.1';
const ATTACKER_HOST = '10.6.6.6';
const PORT = 6881;
const limits = { maxMessageBytes: 65_536, maxItems: 100_000 };
const attackerId = new Uint8Array(20).fill(0x66);
const infoHash = new Uint8Array(20).fill(0x11);

interface Attacker {
  socket: UdpSocket;
  replies: KrpcMessage[];
  send(bytes: Uint8Array): void;
  query(method: string, args: Record<string, BencodeValue>, t?: string): void;
}

let stopList: Dht[] = [];
afterEach(async () => {
  await Promise.all(stopList.map((dht) => dht.stop()));
  stopList = [];
});

async function setup(options: { bootstrap?: boolean } = {}) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock, { latencyMs: 5 });
  const platform = createTestPlatform({ seed: 1, host: DHT_HOST, network });
  const socket = await platform.udp.bind(DHT_HOST, PORT);
  const bootstrap = options.bootstrap ? [{ host: ATTACKER_HOST, port: PORT }] : [];
  const dht = new Dht({ platform, socket, bootstrap });
  stopList.push(dht);
  const attackerPlatform: TestPlatform = createTestPlatform({ seed: 2, host: ATTACKER_HOST, network });
  const attackerSocket = await attackerPlatform.udp.bind(ATTACKER_HOST, PORT);
  const replies: KrpcMessage[] = [];
  attackerSocket.setHandler((bytes) => {
    // Keep answers only: the DHT also pings the attacker to verify it, and those queries are not replies.
    const message = decodeKrpc(bytes, limits);
    if (message.kind === 'response' || message.kind === 'error') replies.push(message);
  });
  const attacker: Attacker = {
    socket: attackerSocket,
    replies,
    send: (bytes) => attackerSocket.send(bytes, DHT_HOST, PORT),
    query: (method, args, t = 'aa') =>
      attackerSocket.send(
        encodeQuery(utf8Encode(t), method, krpcDict({ id: attackerId, ...args })),
        DHT_HOST,
        PORT,
      ),
  };
  dht.start();
  const tick = () => {
    dht.tick(clock.now());
    clock.setTimer(500, tick);
  };
  clock.setTimer(500, tick);
  return { clock, dht, attacker, platform };
}

const lastError = (attacker: Attacker) => attacker.replies.at(-1) as KrpcErrorMessage;
const lastResponse = (attacker: Attacker) => attacker.replies.at(-1) as KrpcResponse;

describe('DHT node facing hostile input (BEP 5)', () => {
  it('answers ping, find_node and get_peers', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.query('ping', {});
    await clock.advanceAsync(20);
    expect(lastResponse(attacker).values.get('id')).toEqual(dht.nodeId);
    attacker.query('find_node', { target: infoHash });
    await clock.advanceAsync(20);
    expect(lastResponse(attacker).values.get('nodes')).toBeInstanceOf(Uint8Array);
    attacker.query('get_peers', { info_hash: infoHash });
    await clock.advanceAsync(20);
    expect(lastResponse(attacker).values.get('token')).toBeInstanceOf(Uint8Array);
    expect(lastResponse(attacker).values.get('values')).toBeUndefined();
  });

  it('announce_peer with a valid token stores the peer; implied_port uses the UDP source port', async () => {
    const { clock, attacker } = await setup();
    attacker.query('get_peers', { info_hash: infoHash });
    await clock.advanceAsync(20);
    const token = lastResponse(attacker).values.get('token') as Uint8Array;
    attacker.query('announce_peer', { info_hash: infoHash, port: 7000, token });
    attacker.query('announce_peer', { info_hash: infoHash, port: 1, token, implied_port: 1 }, 'ab');
    await clock.advanceAsync(20);
    attacker.query('get_peers', { info_hash: infoHash });
    await clock.advanceAsync(20);
    const values = (lastResponse(attacker).values.get('values') as Uint8Array[]).map((v) => [...v].join(','));
    expect(values.sort()).toEqual(
      [encodeCompactPeer(ATTACKER_HOST, 7000)!, encodeCompactPeer(ATTACKER_HOST, PORT)!]
        .map((v) => [...v].join(','))
        .sort(),
    );
  });

  it('hostile: a forged token is refused with error 203 and nothing is stored', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.query('announce_peer', { info_hash: infoHash, port: 7000, token: new Uint8Array(8).fill(1) });
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ kind: 'error', code: 203, message: 'bad token' });
    expect(dht.stats().storedPeers).toBe(0);
  });

  it('hostile: a token given to another IP is refused', async () => {
    const { clock, attacker, platform } = await setup();
    const other = await createTestPlatform({ seed: 3, host: '10.7.7.7', network: platform.network }).udp.bind(
      '10.7.7.7',
      PORT,
    );
    let token: Uint8Array | undefined;
    other.setHandler((bytes) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind === 'response') token = message.values.get('token') as Uint8Array;
    });
    other.send(
      encodeQuery(utf8Encode('zz'), 'get_peers', krpcDict({ id: attackerId, info_hash: infoHash })),
      DHT_HOST,
      PORT,
    );
    await clock.advanceAsync(20);
    expect(token).toBeInstanceOf(Uint8Array);
    attacker.query('announce_peer', { info_hash: infoHash, port: 7000, token: token! });
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ code: 203, message: 'bad token' });
  });

  it('hostile: an expired token (two rotations later) is refused; one rotation later it still works', async () => {
    const { clock, attacker } = await setup();
    attacker.query('get_peers', { info_hash: infoHash });
    await clock.advanceAsync(20);
    const token = lastResponse(attacker).values.get('token') as Uint8Array;
    await clock.advanceAsync(5 * 60_000 + 1000);
    attacker.query('announce_peer', { info_hash: infoHash, port: 7000, token });
    await clock.advanceAsync(20);
    expect(lastResponse(attacker).kind).toBe('response');
    await clock.advanceAsync(5 * 60_000 + 1000);
    attacker.query('announce_peer', { info_hash: infoHash, port: 7000, token }, 'ac');
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ code: 203, message: 'bad token' });
  });

  it('hostile: announce_peer with port 0 or 70000 is refused with 203', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.query('get_peers', { info_hash: infoHash });
    await clock.advanceAsync(20);
    const token = lastResponse(attacker).values.get('token') as Uint8Array;
    for (const port of [0, 70_000, -1]) {
      attacker.query('announce_peer', { info_hash: infoHash, port, token });
      await clock.advanceAsync(20);
      expect(lastError(attacker)).toMatchObject({ code: 203 });
    }
    expect(dht.stats().storedPeers).toBe(0);
  });

  it('hostile: malformed queries get 203, unknown methods 204, garbage is dropped silently', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.query('find_node', { target: new Uint8Array(3) });
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ code: 203 });
    attacker.send(
      encode(krpcDict({ t: utf8Encode('xy'), y: utf8Encode('q'), q: utf8Encode('ping'), a: krpcDict({}) })),
    );
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ code: 203, message: 'missing or invalid id' });
    attacker.query('vote', {});
    await clock.advanceAsync(20);
    expect(lastError(attacker)).toMatchObject({ code: 204 });
    const before = attacker.replies.length;
    attacker.send(utf8Encode('this is not bencode'));
    attacker.send(new Uint8Array(0));
    attacker.send(utf8Encode('li1ei2ee'));
    await clock.advanceAsync(20);
    expect(attacker.replies.length).toBe(before);
    expect(dht.stats().malformedDropped).toBe(3);
  });

  it('hostile: responses to queries never sent are dropped', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.send(encodeResponse(utf8Encode('zz'), krpcDict({ id: attackerId, nodes: new Uint8Array(26) })));
    await clock.advanceAsync(20);
    expect(dht.stats().unsolicitedDropped).toBe(1);
    expect(dht.stats().nodes).toBe(0);
  });

  it('hostile: a response from another address than the one queried is dropped (spoofed transaction id)', async () => {
    const { clock, dht, attacker, platform } = await setup({ bootstrap: true });
    const spoofer = await createTestPlatform({
      seed: 5,
      host: '10.5.5.5',
      network: platform.network,
    }).udp.bind('10.5.5.5', PORT);
    // The queried node leaks each transaction id to a spoofer, which answers first from its own address.
    attacker.socket.setHandler((bytes) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind !== 'query') return;
      const forged = krpcDict({ id: new Uint8Array(20).fill(0x55), nodes: new Uint8Array(0) });
      spoofer.send(encodeResponse(message.transactionId, forged), DHT_HOST, PORT);
    });
    await clock.advanceAsync(10_000);
    expect(dht.stats().unsolicitedDropped).toBeGreaterThan(0);
    expect(dht.stats().responsesReceived).toBe(0);
    expect(dht.stats().nodes).toBe(0);
  });

  it('hostile: a flood of 1000 pings from one IP is answered only up to the burst', async () => {
    const { clock, dht, attacker } = await setup();
    for (let i = 0; i < 1000; i++) attacker.query('ping', {}, `t${i}`);
    await clock.advanceAsync(20);
    expect(attacker.replies.length).toBe(dht.limits.queryBurstPerIp);
    expect(dht.stats().rateLimitedDropped).toBe(1000 - dht.limits.queryBurstPerIp);
    // The bucket refills at 50/s: the second flood arrives 1020 ms after the first, so 51 tokens are back.
    await clock.advanceAsync(1000);
    attacker.replies.length = 0;
    for (let i = 0; i < 200; i++) attacker.query('ping', {}, `u${i}`);
    await clock.advanceAsync(20);
    expect(attacker.replies.length).toBe((dht.limits.queriesPerSecondPerIp * 1020) / 1000);
  });

  it('hostile: announces for many info-hashes and ports stay within the peer store caps', async () => {
    const { clock, dht, platform } = await setup();
    const small = new Dht({
      platform,
      socket: await platform.udp.bind(DHT_HOST, 7881),
      bootstrap: [],
      limits: {
        maxPeersPerInfoHash: 5,
        maxInfoHashes: 3,
        queryBurstPerIp: 10_000,
        queriesPerSecondPerIp: 10_000,
      },
    });
    stopList.push(small);
    small.start();
    const sender = await createTestPlatform({
      seed: 9,
      host: '10.9.9.9',
      network: platform.network,
    }).udp.bind('10.9.9.9', 1);
    let token: Uint8Array | undefined;
    sender.setHandler((bytes) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind === 'response' && message.values.has('token'))
        token = message.values.get('token') as Uint8Array;
    });
    sender.send(
      encodeQuery(utf8Encode('tk'), 'get_peers', krpcDict({ id: attackerId, info_hash: infoHash })),
      DHT_HOST,
      7881,
    );
    await clock.advanceAsync(20);
    for (let hash = 0; hash < 10; hash++) {
      for (let port = 1; port <= 20; port++) {
        const args = krpcDict({
          id: attackerId,
          info_hash: new Uint8Array(20).fill(hash),
          port,
          token: token!,
        });
        sender.send(encodeQuery(utf8Encode(`${hash}-${port}`), 'announce_peer', args), DHT_HOST, 7881);
      }
    }
    await clock.advanceAsync(20);
    expect(small.stats().storedInfoHashes).toBe(3);
    expect(small.stats().storedPeers).toBe(15);
    // Peers expire after the TTL.
    await clock.advanceAsync(31 * 60_000);
    small.tick(clock.now());
    expect(small.stats().storedPeers).toBe(0);
    expect(dht.stats().storedPeers).toBe(0);
  });

  it('hostile: a lookup against a node that returns huge, bogus nodes lists stays bounded', async () => {
    const { clock, dht, attacker } = await setup({ bootstrap: true });
    // The attacker answers every query with 200 made-up nodes (unreachable hosts) that each claim to be closer.
    let counter = 0;
    attacker.socket.setHandler((bytes, host, port) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind !== 'query') return;
      const nodes = new Uint8Array(200 * 26);
      for (let i = 0; i < 200; i++) {
        counter++;
        nodes.set([counter >> 8, counter & 255, 7, 7], i * 26);
        nodes.set([10, 66, (counter >> 8) & 255, counter & 255, 0x1a, 0xe1], i * 26 + 20);
      }
      attacker.socket.send(
        encodeResponse(message.transactionId, krpcDict({ id: attackerId, nodes })),
        host,
        port,
      );
    });
    let done = false;
    const lookup = dht
      .getPeers(infoHash, () => undefined)
      .then((result) => {
        done = true;
        return result;
      });
    await clock.runUntil(() => done, { maxMs: 600_000 });
    const result = await lookup;
    expect(result.queried).toBeLessThanOrEqual(dht.limits.maxLookupQueries);
    expect(dht.stats().pendingQueries).toBe(0);
  });

  it('hostile: a huge datagram is dropped without decoding', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.send(
      encodeQuery(utf8Encode('aa'), 'ping', krpcDict({ id: attackerId, pad: new Uint8Array(60_000) })),
    );
    await clock.advanceAsync(20);
    expect(attacker.replies).toEqual([]);
    expect(dht.stats().malformedDropped).toBe(1);
  });

  it('read-only queriers (BEP 43) are answered but never verified or inserted', async () => {
    const { clock, dht, attacker } = await setup();
    const ro = encode(
      krpcDict({
        t: utf8Encode('ro'),
        y: utf8Encode('q'),
        q: utf8Encode('ping'),
        a: krpcDict({ id: attackerId }),
        ro: 1,
      }),
    );
    attacker.send(ro);
    await clock.advanceAsync(100);
    expect(lastResponse(attacker).kind).toBe('response');
    expect(dht.stats().queriesSent).toBe(0);
  });

  it('a querying node that answers our verification ping enters the routing table', async () => {
    const { clock, dht, attacker } = await setup();
    attacker.socket.setHandler((bytes, host, port) => {
      const message = decodeKrpc(bytes, limits);
      if (message.kind === 'query') {
        attacker.socket.send(encodeResponse(message.transactionId, krpcDict({ id: attackerId })), host, port);
      }
    });
    attacker.query('ping', {});
    await clock.advanceAsync(100);
    expect(dht.exportNodes()).toEqual([{ host: ATTACKER_HOST, port: PORT, id: attackerId }]);
  });

  it('stop() ends running lookups and refuses further work', async () => {
    const { clock, dht } = await setup({ bootstrap: true });
    let settled = false;
    dht.findNode(infoHash).then(() => {
      settled = true;
    });
    await clock.advanceAsync(10);
    await dht.stop();
    await clock.advanceAsync(0);
    expect(settled).toBe(true);
    expect(dht.stats().pendingQueries).toBe(0);
  });
});
