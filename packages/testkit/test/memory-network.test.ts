import type { Connection } from '@bitloom/engine';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork, type MemoryNetworkOptions } from '../src/memory-network.js';
import { SeededRandom } from '../src/seeded-random.js';
import { VirtualClock } from '../src/virtual-clock.js';

interface Recorder {
  chunks: Uint8Array[];
  received(): Uint8Array;
  drains: number;
  closed: { error: Error | undefined } | undefined;
}

function record(connection: Connection): Recorder {
  const recorder: Recorder = {
    chunks: [],
    received: () => Uint8Array.from(recorder.chunks.flatMap((c) => [...c])),
    drains: 0,
    closed: undefined,
  };
  connection.setHandlers({
    data: (chunk) => recorder.chunks.push(chunk),
    drain: () => recorder.drains++,
    close: (error) => {
      expect(recorder.closed).toBeUndefined(); // exactly once
      recorder.closed = { error };
    },
  });
  return recorder;
}

/** A network with a server listening on 10.0.0.1:6881 and a client connected from 10.0.0.2. */
async function connectedPair(options: MemoryNetworkOptions = {}) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock, options);
  const accepted: Connection[] = [];
  await network.host('10.0.0.1').tcp.listen('0.0.0.0', 6881, (c) => accepted.push(c));
  const connecting = network.host('10.0.0.2').tcp.connect('10.0.0.1', 6881, new AbortController().signal);
  await clock.runUntil(() => accepted.length === 1);
  const client = await (async () => {
    let result: Connection | undefined;
    void connecting.then((c) => {
      result = c;
    });
    await clock.runUntil(() => result !== undefined);
    return result!;
  })();
  return { clock, network, client, server: accepted[0]! };
}

describe('MemoryNetwork TCP', () => {
  it('connects after one latency to the listener and one back, with the right addresses', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork(clock, { latencyMs: 5 });
    let acceptedAt = -1;
    let accepted: Connection | undefined;
    await network.host('10.0.0.1').tcp.listen('10.0.0.1', 6881, (c) => {
      acceptedAt = clock.now();
      accepted = c;
    });
    let client: Connection | undefined;
    void network
      .host('10.0.0.2')
      .tcp.connect('10.0.0.1', 6881, new AbortController().signal)
      .then((c) => {
        client = c;
      });
    const elapsed = await clock.runUntil(() => client !== undefined);
    expect(acceptedAt).toBe(5);
    expect(elapsed).toBe(10);
    expect(client!.remoteAddress).toBe('10.0.0.1');
    expect(client!.remotePort).toBe(6881);
    expect(accepted!.remoteAddress).toBe('10.0.0.2');
    expect(accepted!.remotePort).toBeGreaterThanOrEqual(49152);
  });

  it('delivers bytes in order after the latency, as fresh copies the sender cannot change', async () => {
    const { clock, client, server } = await connectedPair({ latencyMs: 3 });
    const got = record(server);
    const message = Uint8Array.from([1, 2, 3]);
    const start = clock.now();
    client.write(message);
    client.write(Uint8Array.from([4, 5]));
    message[0] = 99;
    await clock.advanceAsync(2);
    expect(got.chunks).toEqual([]);
    await clock.runUntil(() => got.chunks.length === 2);
    expect(clock.now() - start).toBe(3);
    expect(got.received()).toEqual(Uint8Array.from([1, 2, 3, 4, 5]));
    expect(got.chunks[0]!.buffer).not.toBe(message.buffer);
  });

  it('delivers nothing until handlers are set, then everything that waited', async () => {
    const { clock, client, server } = await connectedPair();
    client.write(Uint8Array.from([7, 8]));
    await clock.advanceAsync(50);
    const got = record(server);
    await clock.advanceAsync(0);
    expect(got.received()).toEqual(Uint8Array.from([7, 8]));
  });

  it('refuses a connect to a port nobody listens on, and to an unknown host', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork(clock);
    network.host('10.0.0.1');
    const tcp = network.host('10.0.0.2').tcp;
    const signal = new AbortController().signal;
    const refusedPort = tcp.connect('10.0.0.1', 1234, signal);
    const refusedHost = tcp.connect('10.9.9.9', 1234, signal);
    const settled = Promise.allSettled([refusedPort, refusedHost]);
    await clock.advanceAsync(2);
    const [port, host] = await settled;
    for (const result of [port, host]) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'NET_CONNECT_FAILED' });
    }
  });

  it('rejects a second listener on the same port and picks free ports for port 0', async () => {
    const network = new MemoryNetwork(new VirtualClock());
    const tcp = network.host('10.0.0.1').tcp;
    const first = await tcp.listen('0.0.0.0', 0, () => {});
    const second = await tcp.listen('0.0.0.0', 0, () => {});
    expect(first.port).not.toBe(second.port);
    await expect(tcp.listen('0.0.0.0', first.port, () => {})).rejects.toMatchObject({
      code: 'NET_LISTEN_FAILED',
    });
    await expect(tcp.listen('10.0.0.7', 1, () => {})).rejects.toMatchObject({ code: 'NET_LISTEN_FAILED' });
    await first.close();
    await expect(tcp.listen('0.0.0.0', first.port, () => {})).resolves.toMatchObject({ port: first.port });
  });

  it('limits each direction to its bandwidth', async () => {
    const { clock, client, server } = await connectedPair({ bandwidthBytesPerSecond: 100_000, latencyMs: 1 });
    const got = record(server);
    const start = clock.now();
    client.write(new Uint8Array(50_000));
    await clock.runUntil(() => got.received().length === 50_000);
    expect(clock.now() - start).toBeCloseTo(501, 0);
  });

  it('applies back-pressure: write returns false while the receiver is paused, drain follows resume', async () => {
    const { clock, client, server } = await connectedPair({ highWaterMark: 1000, receiveWindow: 4000 });
    const got = record(server);
    const sender = record(client);
    server.pause();
    let accepted = 0;
    while (client.write(new Uint8Array(500))) accepted++;
    // The window (4000) plus the high-water mark (1000) fill up before write says stop.
    expect(accepted).toBe(9);
    expect(client.bufferedAmount).toBe(1000);
    await clock.advanceAsync(100);
    expect(got.chunks).toEqual([]);
    expect(sender.drains).toBe(0);
    server.resume();
    await clock.runUntil(() => sender.drains === 1);
    await clock.runUntil(() => got.received().length === 5000);
    expect(client.bufferedAmount).toBe(0);
  });

  it('cork holds writes until uncork', async () => {
    const { clock, client, server } = await connectedPair();
    const got = record(server);
    client.cork();
    client.write(Uint8Array.from([1]));
    await clock.advanceAsync(10);
    expect(got.chunks).toEqual([]);
    client.uncork();
    await clock.runUntil(() => got.chunks.length === 1);
  });

  it('end() delivers what was written, then closes both ends without error', async () => {
    const { clock, client, server } = await connectedPair();
    const atServer = record(server);
    const atClient = record(client);
    client.write(Uint8Array.from([1, 2]));
    client.end();
    expect(client.write(Uint8Array.from([3]))).toBe(false);
    await clock.runUntil(() => atServer.closed !== undefined && atClient.closed !== undefined);
    expect(atServer.received()).toEqual(Uint8Array.from([1, 2]));
    expect(atServer.closed!.error).toBeUndefined();
    expect(atClient.closed!.error).toBeUndefined();
  });

  it('destroy() closes at once locally and cleanly at the peer', async () => {
    const { clock, network, client, server } = await connectedPair();
    const atServer = record(server);
    const atClient = record(client);
    client.destroy();
    client.destroy();
    await clock.runUntil(() => atServer.closed !== undefined && atClient.closed !== undefined);
    expect(atServer.closed!.error).toBeUndefined();
    expect(network.connections()).toEqual([]);
  });

  it('resetConnections() closes both ends with NET_CONNECTION_FAILED', async () => {
    const { clock, network, client, server } = await connectedPair();
    const atServer = record(server);
    const atClient = record(client);
    network.resetConnections('10.0.0.1');
    await clock.advanceAsync(0);
    expect(atServer.closed?.error).toMatchObject({ code: 'NET_CONNECTION_FAILED' });
    expect(atClient.closed?.error).toMatchObject({ code: 'NET_CONNECTION_FAILED' });
  });

  it('a black-holed host makes connects hang until aborted (attack: silent peer, connect timeout)', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork(clock);
    let accepted = 0;
    await network.host('10.0.0.1').tcp.listen('0.0.0.0', 6881, () => accepted++);
    network.dropHost('10.0.0.1');
    const controller = new AbortController();
    let outcome: unknown;
    network
      .host('10.0.0.2')
      .tcp.connect('10.0.0.1', 6881, controller.signal)
      .then(
        () => {
          outcome = 'connected';
        },
        (error) => {
          outcome = error;
        },
      );
    clock.setTimer(10_000, () => controller.abort());
    await clock.advanceAsync(9_999);
    expect(outcome).toBeUndefined();
    await clock.advanceAsync(1);
    expect(outcome).toMatchObject({ code: 'NET_CONNECT_ABORTED' });
    expect(accepted).toBe(0);
  });

  it('a black-holed host stalls open connections; restoring it delivers what was held, in order', async () => {
    const { clock, network, client, server } = await connectedPair();
    const got = record(server);
    client.write(Uint8Array.from([1]));
    network.dropHost('10.0.0.1');
    client.write(Uint8Array.from([2]));
    await clock.advanceAsync(1_000);
    expect(got.chunks).toEqual([]);
    network.restoreHost('10.0.0.1');
    await clock.runUntil(() => got.received().length === 2);
    expect(got.received()).toEqual(Uint8Array.from([1, 2]));
  });
});

describe('MemoryNetwork UDP', () => {
  it('delivers datagrams after the latency with the sender address, as copies', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork(clock, { latencyMs: 4 });
    const server = await network.host('10.0.0.1').udp.bind('0.0.0.0', 6881);
    const client = await network.host('10.0.0.2').udp.bind('0.0.0.0', 0);
    const got: [Uint8Array, string, number][] = [];
    server.setHandler((data, host, port) => got.push([data, host, port]));
    const payload = Uint8Array.from([1, 2, 3]);
    client.send(payload, '10.0.0.1', 6881);
    payload[0] = 9;
    await clock.advanceAsync(3);
    expect(got).toEqual([]);
    await clock.advanceAsync(1);
    expect(got).toEqual([[Uint8Array.from([1, 2, 3]), '10.0.0.2', client.port]]);
  });

  it('loses datagrams at the configured rate, reproducibly for a seed', async () => {
    const run = async () => {
      const clock = new VirtualClock();
      const network = new MemoryNetwork(clock, { udpLossRate: 0.3, random: new SeededRandom(11) });
      const server = await network.host('10.0.0.1').udp.bind('0.0.0.0', 1);
      const client = await network.host('10.0.0.2').udp.bind('0.0.0.0', 2);
      const received: number[] = [];
      server.setHandler((data) => received.push(data[0]! + data[1]! * 256));
      for (let i = 0; i < 1000; i++) client.send(Uint8Array.from([i & 0xff, i >> 8]), '10.0.0.1', 1);
      await clock.advanceAsync(10);
      return { received, dropped: network.udpDatagramsDropped };
    };
    const first = await run();
    expect(first.received.length + first.dropped).toBe(1000);
    expect(first.received.length).toBeGreaterThan(620);
    expect(first.received.length).toBeLessThan(780);
    expect((await run()).received).toEqual(first.received);
  });

  it('drops datagrams to unbound ports, closed sockets and black-holed hosts', async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork(clock);
    const server = await network.host('10.0.0.1').udp.bind('0.0.0.0', 1);
    const client = await network.host('10.0.0.2').udp.bind('0.0.0.0', 2);
    let received = 0;
    server.setHandler(() => received++);
    client.send(new Uint8Array(1), '10.0.0.1', 99);
    network.dropHost('10.0.0.1');
    client.send(new Uint8Array(1), '10.0.0.1', 1);
    network.restoreHost('10.0.0.1');
    client.send(new Uint8Array(70_000), '10.0.0.1', 1);
    await clock.advanceAsync(5);
    await server.close();
    client.send(new Uint8Array(1), '10.0.0.1', 1);
    await clock.advanceAsync(5);
    expect(received).toBe(0);
    expect(network.udpDatagramsDropped).toBe(4);
    await expect(network.host('10.0.0.2').udp.bind('0.0.0.0', 2)).rejects.toMatchObject({
      code: 'NET_UDP_BIND_FAILED',
    });
  });
});
