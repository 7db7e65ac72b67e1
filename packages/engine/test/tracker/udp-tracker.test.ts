import { createTestPlatform, MemoryNetwork, type TestPlatform, VirtualClock } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import type { UdpSocket } from '../../src/platform/network.js';
import type { AnnounceRequest } from '../../src/tracker/announce-types.js';
import type { TrackerError } from '../../src/tracker/tracker-error.js';
import { UdpTracker } from '../../src/tracker/udp-tracker.js';

const request: AnnounceRequest = {
  infoHash: new Uint8Array(20).fill(7),
  peerId: new Uint8Array(20).fill(8),
  port: 6881,
  uploaded: 1,
  downloaded: 2,
  left: 3,
  event: 'started',
  numwant: 50,
  key: 42,
};

interface Received {
  at: number;
  action: number;
  transactionId: number;
  packet: Uint8Array;
  host: string;
  port: number;
}

/** A scriptable BEP 15 tracker: `reply` decides what (if anything) goes back for each request. */
async function fakeTracker(
  platform: TestPlatform,
  reply: (request: Received, socket: UdpSocket) => Uint8Array | undefined,
  port = 6969,
): Promise<Received[]> {
  const socket = await platform.udp.bind(platform.host.address, port);
  const received: Received[] = [];
  socket.setHandler((packet, host, fromPort) => {
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const entry = {
      at: platform.clock.now(),
      action: view.getUint32(8),
      transactionId: view.getUint32(12),
      packet,
      host,
      port: fromPort,
    };
    received.push(entry);
    const answer = reply(entry, socket);
    if (answer !== undefined) socket.send(answer, host, fromPort);
  });
  return received;
}

function header(
  action: number,
  transactionId: number,
  extra: number,
): { packet: Uint8Array; view: DataView } {
  const packet = new Uint8Array(8 + extra);
  const view = new DataView(packet.buffer);
  view.setUint32(0, action);
  view.setUint32(4, transactionId);
  return { packet, view };
}

const CONNECTION_ID = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

/** A well-behaved tracker's answer: connection id, or interval 1800 and the given compact peers. */
function goodReply(request: Received, peers = Uint8Array.from([10, 0, 0, 5, 0x1a, 0xe1])): Uint8Array {
  if (request.action === 0) {
    const { packet } = header(0, request.transactionId, 8);
    packet.set(CONNECTION_ID, 8);
    return packet;
  }
  if (request.action === 1) {
    const { packet, view } = header(1, request.transactionId, 12 + peers.length);
    view.setUint32(8, 1800);
    view.setUint32(12, 4);
    view.setUint32(16, 9);
    packet.set(peers, 20);
    return packet;
  }
  const { packet, view } = header(2, request.transactionId, 12);
  view.setUint32(8, 11);
  view.setUint32(12, 22);
  view.setUint32(16, 33);
  return packet;
}

function setup(trackerHost = '10.0.0.9') {
  const network = new MemoryNetwork(new VirtualClock());
  const client = createTestPlatform({ seed: 1, host: '10.0.0.1', network });
  const server = createTestPlatform({ seed: 2, host: trackerHost, network });
  const url = trackerHost.includes(':')
    ? `udp://[${trackerHost}]:6969/announce`
    : `udp://${trackerHost}:6969`;
  return { network, client, server, url, clock: network.clock };
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: TrackerError }> {
  return promise.then(
    (value) => ({ value }),
    (error: TrackerError) => ({ error }),
  );
}

describe('UdpTracker (BEP 15)', () => {
  it('connects, then announces with the connection id, and reads IPv4 peers', async () => {
    const { client, server, url, clock } = setup();
    const received = await fakeTracker(server, (r) => goodReply(r));
    const tracker = new UdpTracker(url, client);
    let result: Awaited<ReturnType<UdpTracker['announce']>> | undefined;
    void tracker.announce(request, new AbortController().signal).then((r) => {
      result = r;
    });
    await clock.runUntil(() => result !== undefined);
    expect(result).toEqual({
      intervalMs: 1_800_000,
      minIntervalMs: 300_000,
      peers: [{ host: '10.0.0.5', port: 6881 }],
      seeders: 9,
      leechers: 4,
    });
    expect(received.map((r) => r.action)).toEqual([0, 1]);
    const announce = received[1]!.packet;
    expect(announce.length).toBe(98);
    expect(announce.subarray(0, 8)).toEqual(CONNECTION_ID);
    const view = new DataView(announce.buffer, announce.byteOffset);
    expect(view.getUint32(80)).toBe(2); // started
    expect(view.getUint16(96)).toBe(6881);
    await tracker.close();
  });

  it('reuses the connection id for a minute, then connects again', async () => {
    const { client, server, url, clock } = setup();
    const received = await fakeTracker(server, (r) => goodReply(r));
    const tracker = new UdpTracker(url, client);
    const signal = new AbortController().signal;
    const announceOnce = async () => {
      let done = false;
      void tracker.announce(request, signal).then(() => {
        done = true;
      });
      await clock.runUntil(() => done);
    };
    await announceOnce();
    await clock.advanceAsync(30_000);
    await announceOnce();
    expect(received.map((r) => r.action)).toEqual([0, 1, 1]);
    await clock.advanceAsync(31_000);
    await announceOnce();
    expect(received.map((r) => r.action)).toEqual([0, 1, 1, 0, 1]);
    await tracker.close();
  });

  it('black hole: retransmits after 15, 30, 60 … 3840 s, then TRACKER_TIMEOUT', async () => {
    const { client, server, url, clock } = setup();
    const received = await fakeTracker(server, () => undefined);
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.announce(request, new AbortController().signal));
    let finished = false;
    void outcome.then(() => {
      finished = true;
    });
    await clock.runUntil(() => finished, { maxMs: 3 * 60 * 60_000 });
    const gaps = received.slice(1).map((r, i) => (r.at - received[i]!.at) / 1000);
    expect(gaps).toEqual([15, 30, 60, 120, 240, 480, 960, 1920]);
    expect(received.every((r) => r.action === 0)).toBe(true);
    expect(new Set(received.map((r) => r.transactionId)).size).toBe(1);
    expect((await outcome).error?.code).toBe('TRACKER_TIMEOUT');
    // The last try waited its full 3840 s: 15 · (2⁹ − 1) s in all.
    expect(clock.now()).toBe(15_000 * 511);
    expect(clock.pendingTimers).toBe(0);
    await tracker.close();
  });

  it('ignores replies with a wrong transaction id, short packets and other sources', async () => {
    const { network, client, server, url, clock } = setup();
    const impostor = createTestPlatform({ seed: 3, host: '10.0.0.66', network });
    const impostorSocket = await impostor.udp.bind('10.0.0.66', 6969);
    await fakeTracker(server, (r, socket) => {
      const good = goodReply(r);
      // Garbage first: wrong id, a truncated copy, the right answer from the wrong host; the real one a second later.
      const wrongId = good.slice();
      new DataView(wrongId.buffer).setUint32(4, r.transactionId ^ 1);
      socket.send(wrongId, r.host, r.port);
      socket.send(good.subarray(0, 7), r.host, r.port);
      if (r.action === 1) socket.send(good.subarray(0, 19), r.host, r.port);
      impostorSocket.send(good, r.host, r.port);
      clock.setTimer(1000, () => socket.send(good, r.host, r.port));
      return undefined;
    });
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.announce(request, new AbortController().signal));
    let finished = false;
    void outcome.then(() => {
      finished = true;
    });
    await clock.runUntil(() => finished);
    expect((await outcome).value?.peers).toEqual([{ host: '10.0.0.5', port: 6881 }]);
    await tracker.close();
  });

  it('an error action rejects with TRACKER_FAILURE and the message', async () => {
    const { client, server, url, clock } = setup();
    await fakeTracker(server, (r) => {
      if (r.action === 0) return goodReply(r);
      const text = new TextEncoder().encode('info hash not whitelisted');
      const { packet } = header(3, r.transactionId, text.length);
      packet.set(text, 8);
      return packet;
    });
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.announce(request, new AbortController().signal));
    await clock.advanceAsync(10);
    const { error } = await outcome;
    expect(error?.code).toBe('TRACKER_FAILURE');
    expect(error?.message).toContain('not whitelisted');
    await tracker.close();
  });

  it('a peer list that is not a multiple of 6 bytes is TRACKER_BAD_RESPONSE', async () => {
    const { client, server, url, clock } = setup();
    await fakeTracker(server, (r) => goodReply(r, new Uint8Array(7)));
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.announce(request, new AbortController().signal));
    await clock.advanceAsync(10);
    expect((await outcome).error?.code).toBe('TRACKER_BAD_RESPONSE');
    await tracker.close();
  });

  it('reads 18-byte peers from a tracker on an IPv6 address', async () => {
    const { client, server, url, clock } = setup('fd00::9');
    const peer6 = new Uint8Array(18);
    peer6.set([0xfd, 0x00], 0);
    peer6[15] = 5;
    peer6.set([0x1a, 0xe1], 16);
    await fakeTracker(server, (r) => goodReply(r, peer6));
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.announce(request, new AbortController().signal));
    await clock.advanceAsync(10);
    expect((await outcome).value?.peers).toEqual([{ host: 'fd00::5', port: 6881 }]);
    await tracker.close();
  });

  it('scrapes seeders, completed and leechers', async () => {
    const { client, server, url, clock } = setup();
    await fakeTracker(server, (r) => goodReply(r));
    const tracker = new UdpTracker(url, client);
    const outcome = settle(tracker.scrape([request.infoHash], new AbortController().signal));
    await clock.advanceAsync(10);
    expect((await outcome).value).toEqual([
      { infoHash: request.infoHash, seeders: 11, downloaded: 22, leechers: 33 },
    ]);
    await tracker.close();
  });

  it('abort stops retransmitting and rejects with TRACKER_ABORTED', async () => {
    const { client, server, url, clock } = setup();
    const received = await fakeTracker(server, () => undefined);
    const tracker = new UdpTracker(url, client);
    const controller = new AbortController();
    const outcome = settle(tracker.announce(request, controller.signal));
    await clock.advanceAsync(20_000);
    controller.abort();
    expect((await outcome).error?.code).toBe('TRACKER_ABORTED');
    await clock.advanceAsync(600_000);
    expect(received).toHaveLength(2);
    await tracker.close();
  });

  it('refuses URLs that are not udp://host:port', () => {
    const platform = createTestPlatform({ seed: 1 });
    for (const url of ['udp://host', 'http://host:80', 'udp://:80', 'not a url']) {
      expect(() => new UdpTracker(url, platform), url).toThrow(
        expect.objectContaining({ code: 'TRACKER_BAD_URL' }),
      );
    }
  });
});
