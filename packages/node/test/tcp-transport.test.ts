import { connect as rawConnect, type Socket } from 'node:net';
import type { Connection, ConnectionHandlers, Listener } from '@bitloom/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { COALESCE_BYTES } from '../src/tcp-connection.js';
import { NodeTcpTransport } from '../src/tcp-transport.js';

const transports: NodeTcpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function makeTransport(): NodeTcpTransport {
  const transport = new NodeTcpTransport();
  transports.push(transport);
  return transport;
}

/** Lets the event loop run `turns` times (I/O callbacks included), without waiting on wall time. */
async function eventLoopTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Records what a connection reports (chunks copied: they are valid only during `data`, and outgoing sockets
 * reuse one read buffer); `closed` settles with the close error (or undefined).
 */
function recorder(connection: Connection, overrides: Partial<ConnectionHandlers> = {}) {
  const chunks: Uint8Array[] = [];
  let closeCalls = 0;
  let drains = 0;
  let onClose: (error: Error | undefined) => void = () => {};
  const closed = new Promise<Error | undefined>((resolve) => {
    onClose = resolve;
  });
  connection.setHandlers({
    data: (chunk) => chunks.push(chunk.slice()),
    drain: () => drains++,
    close: (error) => {
      closeCalls++;
      onClose(error);
    },
    ...overrides,
  });
  return {
    chunks,
    closed,
    get received() {
      return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    },
    get closeCalls() {
      return closeCalls;
    },
    get drains() {
      return drains;
    },
  };
}

async function listenPair(transport: NodeTcpTransport): Promise<{
  listener: Listener;
  accepted: Promise<Connection>;
}> {
  let accept: (connection: Connection) => void = () => {};
  const accepted = new Promise<Connection>((resolve) => {
    accept = resolve;
  });
  const listener = await transport.listen('127.0.0.1', 0, (connection) => accept(connection));
  return { listener, accepted };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('NodeTcpTransport on loopback', () => {
  it('echoes 4 MiB both ways and reports addresses', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    expect(client.remoteAddress).toBe('127.0.0.1');
    expect(client.remotePort).toBe(listener.port);
    expect(server.remoteAddress).toBe('127.0.0.1');
    server.setHandlers({ data: (chunk) => server.write(chunk.slice()), drain: () => {}, close: () => {} });

    const payload = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >>> 11)) & 0xff;
    let done: () => void = () => {};
    const echoed = new Promise<void>((resolve) => {
      done = resolve;
    });
    const clientSide = recorder(client, {
      data: (chunk) => {
        clientSide.chunks.push(chunk.slice());
        if (clientSide.received >= payload.length) done();
      },
    });
    for (let at = 0; at < payload.length; at += 64 * 1024) client.write(payload.subarray(at, at + 64 * 1024));
    await echoed;
    expect(sameBytes(concat(clientSide.chunks), payload)).toBe(true);
    client.end();
    expect(await clientSide.closed).toBeUndefined();
    expect(clientSide.closeCalls).toBe(1);
  });

  it('holds data while paused (even before handlers), buffers the writer, and drains after resume', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    server.pause();
    const serverSide = recorder(server);
    const clientSide = recorder(client);

    const total = 32 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024).fill(0x5a);
    const writeResults: boolean[] = [];
    for (let sent = 0; sent < total; sent += chunk.length) writeResults.push(client.write(chunk));
    expect(writeResults).toContain(false);
    expect(client.bufferedAmount).toBeGreaterThan(0);
    await eventLoopTurns(20);
    expect(serverSide.received).toBe(0);
    expect(clientSide.drains).toBe(0);
    expect(client.bufferedAmount).toBeGreaterThan(0);

    let allIn: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    server.setHandlers({
      data: (data) => {
        serverSide.chunks.push(data.slice());
        if (serverSide.received === total) allIn();
      },
      drain: () => {},
      close: () => {},
    });
    server.resume();
    await arrived;
    await eventLoopTurns(5);
    expect(clientSide.drains).toBe(1);
    expect(client.bufferedAmount).toBe(0);
  });

  it('holds writes made in one turn and sends them together at its end, in order, also past COALESCE_BYTES', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    const big = new Uint8Array(COALESCE_BYTES + 7).fill(0xcc);
    const expected = concat([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), big, new Uint8Array([6])]);
    let allIn: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    const serverSide = recorder(server, {
      data: (data) => {
        serverSide.chunks.push(data.slice());
        if (serverSide.received === expected.length) allIn();
      },
    });
    expect(client.write(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(client.write(new Uint8Array([4, 5]))).toBe(true);
    // Held, not yet handed to the socket: nothing can have been sent within this turn.
    expect(client.bufferedAmount).toBe(5);
    client.write(big); // past COALESCE_BYTES: everything held goes to the socket now, in order
    client.write(new Uint8Array([6]));
    await arrived;
    expect(sameBytes(concat(serverSide.chunks), expected)).toBe(true);
    expect(client.bufferedAmount).toBe(0);
  });

  it('cork holds small writes in the buffer until uncork, then delivers them in order', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    let allIn: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    const serverSide = recorder(server, {
      data: (data) => {
        serverSide.chunks.push(data.slice());
        if (serverSide.received === 100 * 5) allIn();
      },
    });
    client.cork();
    for (let i = 0; i < 100; i++) client.write(new Uint8Array([i, i, i, i, i]));
    expect(client.bufferedAmount).toBe(500);
    await eventLoopTurns(10);
    expect(serverSide.received).toBe(0);
    client.uncork();
    await arrived;
    const all = concat(serverSide.chunks);
    for (let i = 0; i < 100; i++) expect(Array.from(all.subarray(i * 5, i * 5 + 5))).toEqual([i, i, i, i, i]);
  });

  it('nested cork holds writes until the outermost uncork; small and large batches arrive whole and in order', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    const small = Array.from({ length: 16 }, (_, i) => new Uint8Array(17).fill(i));
    const large = [new Uint8Array(13).fill(0xaa), new Uint8Array(16 * 1024).fill(0xbb)];
    const expected = concat([...small, ...large, new Uint8Array([7])]);
    let allIn: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    const serverSide = recorder(server, {
      data: (data) => {
        serverSide.chunks.push(data.slice());
        if (serverSide.received === expected.length) allIn();
      },
    });
    client.cork();
    client.cork();
    for (const data of small) expect(client.write(data)).toBe(true);
    client.uncork();
    expect(client.bufferedAmount).toBe(16 * 17);
    await eventLoopTurns(10);
    expect(serverSide.received).toBe(0);
    client.uncork();
    client.cork();
    for (const data of large) client.write(data);
    client.uncork();
    client.uncork(); // one too many: ignored
    client.cork();
    client.write(new Uint8Array([7]));
    client.end(); // flushes what is corked before the FIN
    await arrived;
    expect(sameBytes(concat(serverSide.chunks), expected)).toBe(true);
    expect(await serverSide.closed).toBeUndefined();
  });

  it('reports close exactly once on both sides after end, with no error', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const client = await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    const serverSide = recorder(server);
    const clientSide = recorder(client);
    client.write(new Uint8Array([1, 2, 3]));
    client.end();
    expect(await serverSide.closed).toBeUndefined();
    expect(await clientSide.closed).toBeUndefined();
    expect(serverSide.received).toBe(3);
    client.destroy();
    server.destroy();
    expect(client.write(new Uint8Array([4]))).toBe(false);
    await eventLoopTurns(5);
    expect(serverSide.closeCalls).toBe(1);
    expect(clientSide.closeCalls).toBe(1);
  });

  it('reports a reset by the peer as NET_CONNECTION_FAILED', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    const raw: Socket = rawConnect(listener.port, '127.0.0.1');
    const server = await accepted;
    const serverSide = recorder(server);
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.resetAndDestroy();
    expect(await serverSide.closed).toMatchObject({
      code: 'NET_CONNECTION_FAILED',
      cause: { code: 'ECONNRESET' },
    });
    expect(serverSide.closeCalls).toBe(1);
  });

  it('reports close after setHandlers (not inside it) when the connection was destroyed before', async () => {
    const transport = makeTransport();
    const { listener, accepted } = await listenPair(transport);
    await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    const server = await accepted;
    server.destroy();
    await eventLoopTurns(3);
    let closeCalls = 0;
    server.setHandlers({ data: () => {}, drain: () => {}, close: () => closeCalls++ });
    expect(closeCalls).toBe(0);
    await eventLoopTurns(1);
    expect(closeCalls).toBe(1);
  });

  it('rejects a refused connection with NET_CONNECT_FAILED and the errno as cause', async () => {
    const transport = makeTransport();
    const { listener } = await listenPair(transport);
    const port = listener.port;
    await listener.close();
    await expect(transport.connect('127.0.0.1', port, new AbortController().signal)).rejects.toMatchObject({
      code: 'NET_CONNECT_FAILED',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('rejects with NET_CONNECT_ABORTED when the signal aborts, before or during the attempt', async () => {
    const transport = makeTransport();
    const { listener } = await listenPair(transport);
    await expect(transport.connect('127.0.0.1', listener.port, AbortSignal.abort())).rejects.toMatchObject({
      code: 'NET_CONNECT_ABORTED',
    });
    const controller = new AbortController();
    const attempt = transport.connect('127.0.0.1', listener.port, controller.signal);
    controller.abort();
    await expect(attempt).rejects.toMatchObject({ code: 'NET_CONNECT_ABORTED' });
  });

  it('rejects invalid ports and a port already taken', async () => {
    const transport = makeTransport();
    const signal = new AbortController().signal;
    await expect(transport.connect('127.0.0.1', 0, signal)).rejects.toMatchObject({
      code: 'NET_CONNECT_FAILED',
    });
    await expect(transport.connect('127.0.0.1', 70_000, signal)).rejects.toMatchObject({
      code: 'NET_CONNECT_FAILED',
    });
    const { listener } = await listenPair(transport);
    await expect(transport.listen('127.0.0.1', listener.port, () => {})).rejects.toMatchObject({
      code: 'NET_LISTEN_FAILED',
      cause: { code: 'EADDRINUSE' },
    });
  });

  it('accepts IPv4 peers on a dual-stack listener and reports their plain IPv4 address', async () => {
    const transport = makeTransport();
    let accept: (connection: Connection) => void = () => {};
    const accepted = new Promise<Connection>((resolve) => {
      accept = resolve;
    });
    const listener = await transport.listen('::', 0, (connection) => accept(connection));
    await transport.connect('127.0.0.1', listener.port, new AbortController().signal);
    expect((await accepted).remoteAddress).toBe('127.0.0.1');
  });
});
