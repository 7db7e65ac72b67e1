import type { UdpSocket } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeUdpTransport } from '../src/udp-transport.js';

const transports: NodeUdpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function makeTransport(): NodeUdpTransport {
  const transport = new NodeUdpTransport();
  transports.push(transport);
  return transport;
}

interface Datagram {
  data: Uint8Array;
  host: string;
  port: number;
}

/** Resolves with the next `count` datagrams `socket` receives. */
function nextDatagrams(socket: UdpSocket, count: number): Promise<Datagram[]> {
  const received: Datagram[] = [];
  return new Promise((resolve) => {
    socket.setHandler((data, host, port) => {
      received.push({ data, host, port });
      if (received.length === count) resolve(received);
    });
  });
}

describe('NodeUdpTransport on loopback', () => {
  it.each([
    ['IPv4', '127.0.0.1', '127.0.0.1'],
    ['IPv6', '::1', '::1'],
  ])('exchanges datagrams over %s and reports the sender', async (_family, host, expectedHost) => {
    const transport = makeTransport();
    const a = await transport.bind(host, 0);
    const b = await transport.bind(host, 0);
    expect(a.port).toBeGreaterThan(0);
    const atB = nextDatagrams(b, 3);
    for (let i = 0; i < 3; i++) a.send(new Uint8Array([i, 1, 2, 3]), host, b.port);
    const datagrams = await atB;
    expect(datagrams.map((d) => d.data[0]).sort()).toEqual([0, 1, 2]);
    for (const datagram of datagrams) {
      expect(Array.from(datagram.data.subarray(1))).toEqual([1, 2, 3]);
      expect(datagram.host).toBe(expectedHost);
      expect(datagram.port).toBe(a.port);
    }
    const atA = nextDatagrams(a, 1);
    b.send(new Uint8Array(1400).fill(9), host, a.port);
    const [reply] = await atA;
    expect(reply!.data.byteLength).toBe(1400);
  });

  it('lets a dual-stack IPv6 socket talk to an IPv4 socket with plain IPv4 addresses', async () => {
    const transport = makeTransport();
    const v6 = await transport.bind('::', 0);
    const v4 = await transport.bind('127.0.0.1', 0);
    const atV6 = nextDatagrams(v6, 1);
    v4.send(new Uint8Array([42]), '127.0.0.1', v6.port);
    const [fromV4] = await atV6;
    expect(fromV4!.host).toBe('127.0.0.1');
    const atV4 = nextDatagrams(v4, 1);
    v6.send(new Uint8Array([43]), fromV4!.host, fromV4!.port);
    expect((await atV4)[0]!.data[0]).toBe(43);
  });

  it('drops datagrams it cannot send instead of throwing', async () => {
    const transport = makeTransport();
    const socket = await transport.bind('127.0.0.1', 0);
    expect(() => socket.send(new Uint8Array([1]), '127.0.0.1', 0)).not.toThrow();
    expect(() => socket.send(new Uint8Array([1]), '127.0.0.1', 65_536)).not.toThrow();
    expect(() => socket.send(new Uint8Array([1]), '127.0.0.1', Number.NaN)).not.toThrow();
    await socket.close();
    expect(() => socket.send(new Uint8Array([1]), '127.0.0.1', 6881)).not.toThrow();
  });

  it('rejects a bind to a taken port with NET_UDP_BIND_FAILED, and closes idempotently', async () => {
    const transport = makeTransport();
    const socket = await transport.bind('127.0.0.1', 0);
    await expect(transport.bind('127.0.0.1', socket.port)).rejects.toMatchObject({
      code: 'NET_UDP_BIND_FAILED',
      cause: { code: 'EADDRINUSE' },
    });
    await expect(transport.bind('127.0.0.1', -1)).rejects.toMatchObject({ code: 'NET_UDP_BIND_FAILED' });
    await socket.close();
    await socket.close();
    const again = await transport.bind('127.0.0.1', socket.port);
    expect(again.port).toBe(socket.port);
  });
});
