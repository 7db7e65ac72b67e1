/**
 * `acceptMse` / `connectMse` and `EncryptedConnection` over the testkit's in-memory TCP: both roles on a
 * virtual clock, bytes both ways after the handshake (RC4 and plaintext), a plain BitTorrent peer on the same
 * listener, and the handshake's timeout, close and abort paths.
 */
import type { Connection, ConnectionHandlers } from '@bitloom/engine';
import { MemoryNetwork, SeededRandom, VirtualClock } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { EncryptedConnection } from '../../src/crypto/encrypted-connection.js';
import { acceptMse, connectMse, type MseConnection } from '../../src/crypto/mse-handshake.js';
import { MSE_METHOD_PLAINTEXT, MSE_METHOD_RC4 } from '../../src/crypto/mse-protocol.js';
import { encodeHandshake } from '../../src/wire/index.js';

const INFO_HASH = new Uint8Array(20).fill(0x5a);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function connectedPair(clock: VirtualClock): Promise<{ server: Connection; client: Connection }> {
  const network = new MemoryNetwork(clock);
  let server: Connection | undefined;
  await network.host('10.0.0.1').tcp.listen('0.0.0.0', 6881, (c) => {
    server = c;
  });
  let client: Connection | undefined;
  void network
    .host('10.0.0.2')
    .tcp.connect('10.0.0.1', 6881, new AbortController().signal)
    .then((c) => {
      client = c;
    });
  await clock.runUntil(() => server !== undefined && client !== undefined);
  return { server: server!, client: client! };
}

/** Collects what a connection delivers. */
function collect(connection: Connection): { bytes: () => Uint8Array; closed: () => boolean } {
  const chunks: Uint8Array[] = [];
  let closed = false;
  const handlers: ConnectionHandlers = {
    data: (chunk) => chunks.push(chunk.slice()),
    drain: () => {},
    close: () => {
      closed = true;
    },
  };
  connection.setHandlers(handlers);
  return { bytes: () => new Uint8Array(Buffer.concat(chunks)), closed: () => closed };
}

function settle<T>(promise: Promise<T>): () => { value?: T; error?: { code?: string } } {
  let state: { value?: T; error?: { code?: string } } = {};
  promise.then(
    (value) => {
      state = { value };
    },
    (error) => {
      state = { error };
    },
  );
  return () => state;
}

describe('MSE over a connection', () => {
  for (const provided of [MSE_METHOD_RC4, MSE_METHOD_PLAINTEXT]) {
    const label = provided === MSE_METHOD_RC4 ? 'RC4' : 'plaintext';
    it(`both roles agree (${label}) and bytes flow both ways afterwards, IA first`, async () => {
      const clock = new VirtualClock();
      const { server, client } = await connectedPair(clock);
      const base = { clock, timeoutMs: 10_000 };
      const ia = text('initial payload');
      const accepted = settle(
        acceptMse(server, { ...base, random: new SeededRandom(1), skeys: () => [INFO_HASH] }),
      );
      const dialled = settle(
        connectMse(client, {
          ...base,
          random: new SeededRandom(2),
          skey: INFO_HASH,
          providedMethods: provided,
          initialPayload: ia,
        }),
      );
      await clock.runUntil(() => accepted().value !== undefined && dialled().value !== undefined);
      const serverSide = accepted().value as MseConnection;
      const clientSide = dialled().value as MseConnection;
      expect(serverSide.skey).toEqual(INFO_HASH);
      expect(serverSide.connection.encryption).toBe(label.toLowerCase());
      expect(clientSide.connection.encryption).toBe(label.toLowerCase());

      const atServer = collect(serverSide.connection);
      const atClient = collect(clientSide.connection);
      const request = text('a request from the initiator');
      const reply = new Uint8Array(40_000).map((_, i) => i & 0xff);
      clientSide.connection.write(request);
      serverSide.connection.write(reply);
      await clock.runUntil(
        () =>
          atServer.bytes().length === ia.length + request.length && atClient.bytes().length === reply.length,
      );
      expect(atServer.bytes()).toEqual(new Uint8Array(Buffer.concat([ia, request])));
      expect(atClient.bytes()).toEqual(reply);
      // The caller's buffer is not encrypted in place.
      expect(reply[1]).toBe(1);

      clientSide.connection.end();
      await clock.runUntil(() => atServer.closed());
    });
  }

  it('a plain BitTorrent handshake passes through the same accept, unchanged', async () => {
    const clock = new VirtualClock();
    const { server, client } = await connectedPair(clock);
    const accepted = settle(
      acceptMse(server, { clock, timeoutMs: 10_000, random: new SeededRandom(1), skeys: () => [INFO_HASH] }),
    );
    const handshake = encodeHandshake({
      reserved: new Uint8Array(8),
      infoHash: INFO_HASH,
      peerId: new Uint8Array(20).fill(7),
    });
    client.write(handshake.subarray(0, 10));
    await clock.advanceAsync(5);
    client.write(handshake.subarray(10));
    await clock.runUntil(() => accepted().value !== undefined);
    const result = accepted().value!;
    expect(result.connection.encryption).toBe('none');
    expect(result.skey).toBeUndefined();
    const atServer = collect(result.connection);
    await clock.runUntil(() => atServer.bytes().length === 68);
    expect(atServer.bytes()).toEqual(handshake);
  });

  it('hostile: a peer that sends Ya and then nothing is dropped at the timeout (MSE_TIMEOUT)', async () => {
    const clock = new VirtualClock();
    const { server, client } = await connectedPair(clock);
    const accepted = settle(
      acceptMse(server, { clock, timeoutMs: 10_000, random: new SeededRandom(1), skeys: () => [INFO_HASH] }),
    );
    const atClient = collect(client);
    client.write(new Uint8Array(96).fill(0x42));
    await clock.advanceAsync(9_000);
    expect(accepted()).toEqual({});
    expect(atClient.bytes().length).toBeGreaterThanOrEqual(96); // Yb + PadB arrived
    await clock.advanceAsync(1_001);
    expect(accepted().error?.code).toBe('MSE_TIMEOUT');
    await clock.runUntil(() => atClient.closed());
  });

  it('hostile: garbage with no sync closes the connection (MSE_NO_SYNC)', async () => {
    const clock = new VirtualClock();
    const { server, client } = await connectedPair(clock);
    const accepted = settle(
      acceptMse(server, { clock, timeoutMs: 10_000, random: new SeededRandom(1), skeys: () => [INFO_HASH] }),
    );
    const atClient = collect(client);
    const garbage = new SeededRandom(5).bytes(4096);
    garbage[0] = 0;
    client.write(garbage);
    await clock.runUntil(() => accepted().error !== undefined && atClient.closed());
    expect(accepted().error?.code).toBe('MSE_NO_SYNC');
  });

  it('the peer closing mid-handshake rejects with MSE_CLOSED; aborting rejects with MSE_ABORTED', async () => {
    const clock = new VirtualClock();
    const first = await connectedPair(clock);
    const closedEarly = settle(
      acceptMse(first.server, { clock, timeoutMs: 10_000, random: new SeededRandom(1), skeys: () => [] }),
    );
    first.client.write(new Uint8Array(50).fill(1));
    first.client.destroy();
    await clock.runUntil(() => closedEarly().error !== undefined);
    expect(closedEarly().error?.code).toBe('MSE_CLOSED');

    const second = await connectedPair(clock);
    const abort = new AbortController();
    const aborted = settle(
      acceptMse(second.server, {
        clock,
        timeoutMs: 10_000,
        random: new SeededRandom(1),
        skeys: () => [],
        signal: abort.signal,
      }),
    );
    const atClient = collect(second.client);
    abort.abort();
    await clock.runUntil(() => aborted().error !== undefined && atClient.closed());
    expect(aborted().error?.code).toBe('MSE_ABORTED');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('EncryptedConnection', () => {
  it('holds replayed bytes and a close until handlers are set, and honours pause', async () => {
    const clock = new VirtualClock();
    const { server, client } = await connectedPair(clock);
    const wrapped = new EncryptedConnection(server, { encryption: 'none', received: text('early') });
    client.write(text(' later'));
    client.end();
    await clock.advanceAsync(10);
    const seen: string[] = [];
    wrapped.setHandlers({
      data: (chunk) => seen.push(new TextDecoder().decode(chunk)),
      drain: () => {},
      close: () => seen.push('<close>'),
    });
    expect(seen).toEqual([]); // never re-entrant: delivery starts after setHandlers returns
    wrapped.pause();
    await clock.advanceAsync(10);
    expect(seen).toEqual([]);
    wrapped.resume();
    await clock.runUntil(() => seen.includes('<close>'));
    expect(seen.join('')).toBe('early later<close>');
  });

  it('refuses ciphers without rc4 (a caller bug)', async () => {
    const clock = new VirtualClock();
    const { server } = await connectedPair(clock);
    expect(() => new EncryptedConnection(server, { encryption: 'rc4' })).toThrow();
  });
});
