/**
 * Hostile BEP 10 extension messages against bitloom, from a scripted fake peer on the virtual network: extended
 * handshakes that are not dictionaries or too large, absurd `reqq` and `metadata_size`, extension ids bitloom never
 * advertised, lying ut_metadata (BEP 9) answers to a magnet link still fetching, and PEX (BEP 11) floods and port-0
 * entries; plus a Fast (BEP 6) peer that rejects every request. Each is ignored or the peer is distrusted — never
 * a crash, an unbounded allocation or a completed fetch of wrong metadata — and an honest peer still completes.
 */
import { formatMagnet, type MetadataFetch, parseMagnet, Session, testingSettings } from '@bitloom/engine';
import { createTestPlatform } from '@bitloom/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type BencodeValue, bdict, decode, encode, getDict } from '../../src/bencode/index.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  MAX_METADATA_SIZE,
} from '../../src/extensions/ut-metadata-message.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { Swarm, sameBytes } from '../swarm/swarm-fixture.js';
import {
  ATTACKER_HOST,
  ATTACKER_PORT,
  attackerCloses,
  honestLeecherCompletes,
  hostileTorrent,
  leecherUnderAttack,
  type SeederUnderAttack,
  seederUnderAttack,
} from './hostile-fixture.js';

let swarm: Swarm | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  await swarm?.closeAll();
  swarm = undefined;
});

/** The ids the attacker advertises in its own `m`. */
const ATTACKER_UT_METADATA = 3;
const ATTACKER_UT_PEX = 5;
const MAGNET_HOST = '10.0.0.77';

function extendedHandshake(fields: Record<string, BencodeValue | string>): Uint8Array {
  return encode(bdict(fields));
}

function sendExtended(attacker: ScriptedPeer, extendedId: number, payload: Uint8Array): void {
  attacker.send({ type: 'extended', extendedId, payload });
}

/** The ids bitloom advertised in its extended handshake to the attacker. */
function bitloomIds(attacker: ScriptedPeer): Map<string, number> {
  const message = attacker.received.find((m) => m.type === 'extended' && m.extendedId === 0);
  if (message?.type !== 'extended') throw new Error('bitloom sent no extended handshake');
  const m = getDict(decode(message.payload) as never, 'm');
  const ids = new Map<string, number>();
  for (const [name, id] of m ?? []) ids.set(name, id as number);
  return ids;
}

/** ut_metadata messages bitloom sent the attacker (to the id the attacker chose). */
function metadataMessagesTo(attacker: ScriptedPeer) {
  return attacker.received.flatMap((m) =>
    m.type === 'extended' && m.extendedId === ATTACKER_UT_METADATA ? [decodeMetadataMessage(m.payload)] : [],
  );
}

/** The bitloom side of the attacker's connection to the seeder. */
function attackerConnection(run: SeederUnderAttack) {
  const peer = [...run.seeder.torrent.peers.values()].find((p) => p.remoteAddress === ATTACKER_HOST);
  if (!peer) throw new Error('the attacker is not connected');
  return peer;
}

async function extendedSeederUnderAttack(): Promise<SeederUnderAttack> {
  const run = await seederUnderAttack({ attacker: { extended: true } });
  swarm = run.swarm;
  await run.swarm.clock.runUntil(() => run.attacker.count('extended') > 0);
  return run;
}

describe('hostile extended handshakes (BEP 10) against a seeder', () => {
  it.each([
    ['an integer', encode(42)],
    ['a list', encode([bdict({ m: bdict({ ut_metadata: 3 }) })])],
    ['not bencode at all', new TextEncoder().encode('d1:md11:ut_metadatai3e')],
    ['a dictionary followed by trailing bytes', new TextEncoder().encode('d1:mdee!!')],
  ])(
    'extended handshake that is %s: ignored, no extension is enabled, the seeder still serves',
    async (_name, payload) => {
      const run = await extendedSeederUnderAttack();
      sendExtended(run.attacker, 0, payload);
      // A metadata request after the broken handshake: bitloom does not know the attacker's ids, so cannot answer.
      sendExtended(
        run.attacker,
        bitloomIds(run.attacker).get('ut_metadata')!,
        encodeMetadataMessage({ type: 'request', piece: 0 }),
      );
      await run.swarm.clock.advanceAsync(100);
      expect(attackerConnection(run).peerExtensions.size).toBe(0);
      expect(metadataMessagesTo(run.attacker)).toEqual([]);
      expect(run.attacker.closed).toBe(false);
      await honestLeecherCompletes(run.swarm, run.seeder);
    },
  );

  it('extended handshake over the 64 KiB limit: ignored before decoding; a later normal one is taken', async () => {
    const run = await extendedSeederUnderAttack();
    const ids = bitloomIds(run.attacker);
    const huge = extendedHandshake({
      m: bdict({ ut_metadata: ATTACKER_UT_METADATA }),
      padding: new Uint8Array(70 * 1024),
    });
    expect(huge.length).toBeGreaterThan(64 * 1024);
    sendExtended(run.attacker, 0, huge);
    sendExtended(run.attacker, ids.get('ut_metadata')!, encodeMetadataMessage({ type: 'request', piece: 0 }));
    await run.swarm.clock.advanceAsync(100);
    expect(attackerConnection(run).peerExtensions.size).toBe(0);
    expect(metadataMessagesTo(run.attacker)).toEqual([]);
    // The same request after a sane handshake is answered: the silence above was the limit at work.
    sendExtended(run.attacker, 0, extendedHandshake({ m: bdict({ ut_metadata: ATTACKER_UT_METADATA }) }));
    sendExtended(run.attacker, ids.get('ut_metadata')!, encodeMetadataMessage({ type: 'request', piece: 0 }));
    await run.swarm.clock.advanceAsync(100);
    const answers = metadataMessagesTo(run.attacker);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      type: 'data',
      piece: 0,
      totalSize: run.torrent.info.infoBytes.length,
    });
    expect(run.attacker.closed).toBe(false);
  });

  it.each([
    ['2^40 (huge)', 2 ** 40, 2000],
    ['0', 0, 250],
    ['negative', -7, 250],
  ])('reqq %s: clamped or ignored, never used as is', async (_name, reqq, expected) => {
    const run = await extendedSeederUnderAttack();
    expect(attackerConnection(run).peerReqq).toBe(250);
    sendExtended(run.attacker, 0, extendedHandshake({ m: bdict({}), reqq }));
    await run.swarm.clock.advanceAsync(100);
    expect(attackerConnection(run).peerReqq).toBe(expected);
    expect(run.attacker.closed).toBe(false);
  });

  it('messages to extension ids bitloom never advertised: ignored, peer kept', async () => {
    const run = await extendedSeederUnderAttack();
    const ours = new Set(bitloomIds(run.attacker).values());
    sendExtended(run.attacker, 0, extendedHandshake({ m: bdict({ ut_metadata: ATTACKER_UT_METADATA }) }));
    const sentBefore = run.attacker.received.length;
    for (const id of [7, 42, 200, 255]) {
      expect(ours.has(id)).toBe(false);
      sendExtended(run.attacker, id, encodeMetadataMessage({ type: 'request', piece: 0 }));
      sendExtended(run.attacker, id, new Uint8Array(1000).fill(0xff));
    }
    await run.swarm.clock.advanceAsync(100);
    expect(run.attacker.received.slice(sentBefore).filter((m) => m.type === 'extended')).toEqual([]);
    expect(run.attacker.closed).toBe(false);
    expect(attackerCloses(run.closes)).toEqual([]);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });
});

describe('hostile PEX (BEP 11) against a seeder', () => {
  /** One PEX message whose `added` list holds `peers`. */
  function pex(peers: readonly [string, number][]): Uint8Array {
    const added = new Uint8Array(peers.length * 6);
    peers.forEach(([host, port], i) => {
      added.set(host.split('.').map(Number), i * 6);
      added.set([port >> 8, port & 0xff], i * 6 + 4);
    });
    return encode(bdict({ added, 'added.f': new Uint8Array(peers.length) }));
  }

  async function pexAttack() {
    const run = await extendedSeederUnderAttack();
    sendExtended(run.attacker, 0, extendedHandshake({ m: bdict({ ut_pex: ATTACKER_UT_PEX }) }));
    await run.swarm.clock.advanceAsync(10);
    return { run, pexId: bitloomIds(run.attacker).get('ut_pex')! };
  }

  it('PEX flood (100 messages at once): only the first is taken; the next only after 45 s', async () => {
    const { run, pexId } = await pexAttack();
    const known = () => run.seeder.torrent.knownPeers;
    for (let i = 0; i < 100; i++) sendExtended(run.attacker, pexId, pex([[`10.9.${i}.1`, 6881]]));
    await run.swarm.clock.advanceAsync(100);
    expect(known().get('10.9.0.1', 6881)?.source).toBe('pex');
    for (let i = 1; i < 100; i++) expect(known().get(`10.9.${i}.1`, 6881)).toBeUndefined();
    await run.swarm.clock.advanceAsync(30_000);
    sendExtended(run.attacker, pexId, pex([[`10.9.200.1`, 6881]]));
    await run.swarm.clock.advanceAsync(100);
    expect(known().get('10.9.200.1', 6881)).toBeUndefined();
    await run.swarm.clock.advanceAsync(15_000);
    sendExtended(run.attacker, pexId, pex([[`10.9.201.1`, 6881]]));
    await run.swarm.clock.advanceAsync(100);
    expect(known().get('10.9.201.1', 6881)?.source).toBe('pex');
    expect(run.attacker.closed).toBe(false);
    await honestLeecherCompletes(run.swarm, run.seeder);
  });

  it('PEX entries with port 0 are dropped; the others of the same message are taken', async () => {
    const { run, pexId } = await pexAttack();
    sendExtended(
      run.attacker,
      pexId,
      pex([
        ['10.8.0.1', 0],
        ['10.8.0.2', 6881],
        ['10.8.0.3', 0],
      ]),
    );
    await run.swarm.clock.advanceAsync(100);
    const known = run.seeder.torrent.knownPeers;
    expect(known.get('10.8.0.1', 0)).toBeUndefined();
    expect(known.get('10.8.0.3', 0)).toBeUndefined();
    expect(known.get('10.8.0.2', 6881)?.source).toBe('pex');
    expect(run.attacker.closed).toBe(false);
  });

  it('PEX before the extended handshake, or from a peer that did not announce ut_pex: ignored', async () => {
    const run = await extendedSeederUnderAttack();
    const pexId = bitloomIds(run.attacker).get('ut_pex')!;
    sendExtended(run.attacker, pexId, pex([['10.7.0.1', 6881]]));
    sendExtended(run.attacker, 0, extendedHandshake({ m: bdict({ ut_metadata: ATTACKER_UT_METADATA }) }));
    sendExtended(run.attacker, pexId, pex([['10.7.0.2', 6881]]));
    await run.swarm.clock.advanceAsync(100);
    expect(run.seeder.torrent.knownPeers.get('10.7.0.1', 6881)).toBeUndefined();
    expect(run.seeder.torrent.knownPeers.get('10.7.0.2', 6881)).toBeUndefined();
    expect(run.attacker.closed).toBe(false);
  });
});

/** A magnet link whose only peer is the attacker, fetched by a bitloom session on the virtual network. */
async function magnetUnderAttack() {
  const torrent = await hostileTorrent();
  swarm = new Swarm(torrent);
  const attacker = await ScriptedPeer.listen(swarm.network.host(ATTACKER_HOST), ATTACKER_PORT, {
    extended: true,
    clock: swarm.clock,
  });
  const platform = createTestPlatform({ seed: 77, host: MAGNET_HOST, network: swarm.network });
  const session = await Session.create({
    platform,
    listen: { host: MAGNET_HOST, port: 6881 },
    settings: testingSettings(),
  });
  sessions.push(session);
  const link = parseMagnet(
    formatMagnet({
      infoHash: torrent.info.infoHash,
      displayName: 'hostile',
      trackers: [],
      webSeeds: [],
      peers: [{ host: ATTACKER_HOST, port: ATTACKER_PORT }],
    }),
  );
  const fetch: MetadataFetch = session.addMagnet(link, { savePath: '/magnet' });
  const badPeers: { address: string; reason: string }[] = [];
  fetch.on('bad-peer', (e) => badPeers.push(e));
  const clock = swarm.clock;
  await clock.runUntil(() => attacker.count('extended') > 0);
  const infoBytes = torrent.info.infoBytes;
  /** The attacker's extended handshake, announcing ut_metadata and the given `metadata_size`. */
  const announce = (metadataSize: number) =>
    sendExtended(
      attacker,
      0,
      extendedHandshake({ m: bdict({ ut_metadata: ATTACKER_UT_METADATA }), metadata_size: metadataSize }),
    );
  /** Sends the attacker a ut_metadata data message under bitloom's id. */
  const sendData = (piece: number, totalSize: number, data: Uint8Array) =>
    sendExtended(
      attacker,
      bitloomIds(attacker).get('ut_metadata')!,
      encodeMetadataMessage({ type: 'data', piece, totalSize, data }),
    );
  const hasTorrent = () => session.torrents.has(torrent.info.infoHashHex);
  /** An honest bitloom seeder joins; the magnet must yield the right info dictionary and the whole payload. */
  const honestSeederCompletes = async () => {
    const seeder = await swarm!.addSeeder();
    await clock.runUntil(() => seeder.torrent.state === 'seeding');
    fetch.addPeer(seeder.host, seeder.session.listenPort);
    await clock.runUntil(hasTorrent, { maxMs: 60_000 });
    const leech = session.torrents.get(torrent.info.infoHashHex)!;
    expect(sameBytes(leech.info.infoBytes, infoBytes)).toBe(true);
    await clock.runUntil(() => leech.complete, { maxMs: 120_000 });
    expect(leech.status().hashFailures).toBe(0);
  };
  return {
    torrent,
    attacker,
    session,
    fetch,
    badPeers,
    clock,
    infoBytes,
    announce,
    sendData,
    hasTorrent,
    honestSeederCompletes,
  };
}

describe('hostile ut_metadata (BEP 9) against a magnet link still fetching', () => {
  it.each([
    ['16 MiB + 1 (over the limit)', MAX_METADATA_SIZE + 1],
    ['2^50 (absurd)', 2 ** 50],
    ['0', 0],
    ['negative', -16384],
  ])(
    'metadata_size %s: nothing allocated, nothing requested; an honest seeder completes',
    async (_name, size) => {
      const run = await magnetUnderAttack();
      run.announce(size);
      await run.clock.advanceAsync(1000);
      expect(metadataMessagesTo(run.attacker)).toEqual([]);
      expect(run.fetch.progress()).toMatchObject({ received: 0, total: 0 });
      await run.honestSeederCompletes();
    },
  );

  it('unsolicited data (before any request) is ignored, never taken as metadata', async () => {
    const run = await magnetUnderAttack();
    // Garbage of the right size, sent before the handshake that would make bitloom ask for it.
    run.sendData(0, run.infoBytes.length, new Uint8Array(run.infoBytes.length).fill(0x41));
    run.announce(run.infoBytes.length);
    await run.clock.advanceAsync(100);
    expect(metadataMessagesTo(run.attacker)).toEqual([{ type: 'request', piece: 0 }]);
    expect(run.fetch.progress().received).toBe(0);
    expect(run.badPeers).toEqual([]);
    // The honest answer from the same peer is then taken: the ignored one changed nothing.
    run.sendData(0, run.infoBytes.length, run.infoBytes);
    await run.clock.runUntil(run.hasTorrent, { maxMs: 10_000 });
    expect(run.badPeers).toEqual([]);
  });

  it('data for out-of-range pieces (1, 1023, 5000) is ignored; the honest piece 0 still completes the fetch', async () => {
    const run = await magnetUnderAttack();
    run.announce(run.infoBytes.length);
    await run.clock.advanceAsync(100);
    for (const piece of [1, 1023, 5000]) run.sendData(piece, run.infoBytes.length, new Uint8Array(100));
    await run.clock.advanceAsync(100);
    expect(run.fetch.progress()).toMatchObject({ received: 0, total: 1 });
    expect(run.hasTorrent()).toBe(false);
    expect(run.attacker.closed).toBe(false);
    run.sendData(0, run.infoBytes.length, run.infoBytes);
    await run.clock.runUntil(run.hasTorrent, { maxMs: 10_000 });
  });

  it.each([
    ['total_size one more than announced', 1, 0],
    ['data one byte short', 0, -1],
  ])(
    'data with the wrong size (%s): bad-peer, not asked again; an honest seeder completes',
    async (_name, extraTotal, extraData) => {
      const run = await magnetUnderAttack();
      run.announce(run.infoBytes.length);
      await run.clock.advanceAsync(100);
      const data = run.infoBytes.subarray(0, run.infoBytes.length + extraData);
      run.sendData(0, run.infoBytes.length + extraTotal, data);
      await run.clock.advanceAsync(100);
      expect(run.badPeers).toEqual([
        { address: `${ATTACKER_HOST}:${ATTACKER_PORT}`, reason: 'metadata piece 0 of the wrong size' },
      ]);
      expect(run.hasTorrent()).toBe(false);
      const asked = metadataMessagesTo(run.attacker).length;
      await run.clock.advanceAsync(30_000);
      expect(metadataMessagesTo(run.attacker)).toHaveLength(asked);
      await run.honestSeederCompletes();
    },
  );

  it('data whose SHA-1 does not match the info-hash: the fetch does not complete, bad-peer; an honest seeder completes', async () => {
    const run = await magnetUnderAttack();
    run.announce(run.infoBytes.length);
    await run.clock.advanceAsync(100);
    const forged = run.infoBytes.slice();
    forged[forged.length - 2] = forged[forged.length - 2]! ^ 0x01;
    run.sendData(0, forged.length, forged);
    await run.clock.advanceAsync(1000);
    expect(run.hasTorrent()).toBe(false);
    expect(run.badPeers).toEqual([
      { address: `${ATTACKER_HOST}:${ATTACKER_PORT}`, reason: 'metadata does not match the info-hash' },
    ]);
    await run.honestSeederCompletes();
  });

  it('a request for metadata sent to a magnet link still fetching is rejected', async () => {
    const run = await magnetUnderAttack();
    run.announce(run.infoBytes.length);
    const id = bitloomIds(run.attacker).get('ut_metadata')!;
    sendExtended(run.attacker, id, encodeMetadataMessage({ type: 'request', piece: 0 }));
    await run.clock.advanceAsync(100);
    expect(metadataMessagesTo(run.attacker)).toContainEqual({ type: 'reject', piece: 0 });
    expect(metadataMessagesTo(run.attacker).filter((m) => m?.type === 'data')).toEqual([]);
    expect(run.attacker.closed).toBe(false);
  });
});

describe('a Fast peer (BEP 6) that rejects every request', () => {
  it('its rejected blocks are requested from the honest seeder, which supplies the whole payload', async () => {
    const run = await leecherUnderAttack({ fast: true });
    swarm = run.swarm;
    let answered = 0;
    const rejected = new Set<string>();
    /** Rejects every request the attacker has not answered yet (called as time moves). */
    const rejectNewRequests = () => {
      const requests = run.attacker.requests();
      for (; answered < requests.length; answered++) {
        const r = requests[answered]!;
        run.attacker.send({ type: 'reject-request', piece: r.piece, begin: r.begin, length: r.length });
        rejected.add(`${r.piece}:${r.begin}`);
      }
    };
    rejectNewRequests();
    await run.swarm.clock.advanceAsync(100);
    rejectNewRequests();
    expect(rejected.size).toBeGreaterThan(0);
    const seeder = await run.swarm.addSeeder();
    await run.swarm.clock.runUntil(() => seeder.torrent.state === 'seeding');
    run.leecher.torrent.addPeer(seeder.host, seeder.session.listenPort);
    await run.swarm.clock.runUntil(
      () => {
        rejectNewRequests();
        return run.leecher.torrent.complete;
      },
      { maxMs: 120_000 },
    );
    expect(sameBytes(run.swarm.contents(run.leecher), run.torrent.payload)).toBe(true);
    const status = run.leecher.torrent.status();
    expect(status.hashFailures).toBe(0);
    // The attacker sent no block: every byte, the rejected blocks' included, came from the honest seeder.
    expect(status.downloadedBytes).toBe(run.torrent.info.totalLength);
    expect(seeder.torrent.status().uploadedBytes).toBe(run.torrent.info.totalLength);
    expect(run.attacker.closed).toBe(false);
  });
});
