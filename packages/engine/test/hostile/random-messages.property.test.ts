/**
 * Property: whatever a peer sends — valid BEP 3/6/10 messages with arbitrary fields, frames of the wrong size,
 * unknown ids, raw garbage — the session never throws, never reports an error, never rejects a promise unhandled
 * (vitest fails the run on those), closes the peer only with a known reason, and keeps serving an honest peer.
 * Run against a seeder (the attacker dials it) and a leecher (it dials the attacker), on the virtual clock.
 */
import { type CloseReason, encodeMessage } from '@bitloom/engine';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import type { Swarm, SwarmPeer } from '../swarm/swarm-fixture.js';
import { frame, leecherUnderAttack, PIECE_COUNT, seederUnderAttack } from './hostile-fixture.js';

let swarm: Swarm | undefined;
afterEach(async () => {
  await swarm?.closeAll();
  swarm = undefined;
});

const KNOWN_REASONS: ReadonlySet<CloseReason> = new Set<CloseReason>([
  'protocol-error',
  'message-too-long',
  'inactive',
  'not-useful',
  'banned',
  'remote-closed',
]);

const pieceIndex = fc.oneof(fc.integer({ min: 0, max: PIECE_COUNT + 1 }), fc.constant(0xffffffff));
const offset = fc.oneof(
  fc.constantFrom(0, 16384, 32768, 49152, 65536),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const length = fc.oneof(
  fc.constantFrom(0, 1000, 16384, 16385, 32768),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const range = fc.record({ piece: pieceIndex, begin: offset, length });

/** One thing a hostile peer may write, as bytes. */
const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .constantFrom('keep-alive', 'choke', 'unchoke', 'interested', 'not-interested', 'have-all', 'have-none')
    .map((type) => encodeMessage({ type } as Parameters<typeof encodeMessage>[0])),
  pieceIndex.map((piece) => encodeMessage({ type: 'have', piece })),
  pieceIndex.map((piece) => encodeMessage({ type: 'suggest-piece', piece })),
  pieceIndex.map((piece) => encodeMessage({ type: 'allowed-fast', piece })),
  range.map((r) => encodeMessage({ type: 'request', ...r })),
  range.map((r) => encodeMessage({ type: 'cancel', ...r })),
  range.map((r) => encodeMessage({ type: 'reject-request', ...r })),
  fc.integer({ min: 0, max: 0xffff }).map((port) => encodeMessage({ type: 'port', port })),
  fc.uint8Array({ maxLength: 3 }).map((bytes) => encodeMessage({ type: 'bitfield', bytes })),
  fc
    .record({ extendedId: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 64 }) })
    .map((m) => encodeMessage({ type: 'extended', ...m })),
  // A PIECE with a small block anywhere (the header says where; the block is short so runs stay fast).
  fc
    .record({ piece: pieceIndex, begin: offset, block: fc.uint8Array({ maxLength: 40 }) })
    .map(({ piece, begin, block }) => frame([7, ...u32(piece), ...u32(begin), ...block])),
  // Any id with any short payload: unknown ids, and known ids of the wrong size.
  fc
    .record({ id: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 20 }) })
    .map(({ id, payload }) => frame([id, ...payload])),
  fc.uint8Array({ minLength: 1, maxLength: 24 }),
);

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Reports every error the session or torrent emits (there must be none). */
function collectErrors(peer: SwarmPeer): Error[] {
  const errors: Error[] = [];
  peer.session.on('error', (e) => errors.push(e));
  peer.torrent.on('error', (e) => errors.push(e));
  return errors;
}

/** Not the attacker's id: a second connection with one peer id is refused as a duplicate. */
const HONEST_PEER_ID = new TextEncoder().encode('-XX0001-honestpeer00');

/** An honest scripted peer dials `seeder`, asks for one block and must get it. */
async function honestPeerIsServed(run: { swarm: Swarm; seeder: SwarmPeer }): Promise<void> {
  const honest = ScriptedPeer.dial(
    run.swarm.network.host('10.0.0.77'),
    run.seeder.host,
    run.seeder.session.listenPort,
    { infoHash: run.swarm.torrent.info.infoHash, peerId: HONEST_PEER_ID },
  );
  await run.swarm.clock.runUntil(() => honest.handshake !== undefined, { maxMs: 1000 });
  honest.send({ type: 'interested' });
  await run.swarm.clock.runUntil(() => honest.count('unchoke') > 0, { maxMs: 15_000 });
  honest.send({ type: 'request', piece: 1, begin: 16384, length: 16384 });
  await run.swarm.clock.runUntil(() => honest.count('piece') > 0, { maxMs: 1000 });
}

describe('property: random hostile messages never break the session', () => {
  it('against a seeder: no throw, no error event, known close reasons, an honest peer still served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(hostileBytes, { minLength: 1, maxLength: 30 }),
        async (fast, writes) => {
          await swarm?.closeAll();
          const run = await seederUnderAttack({ attacker: { fast } });
          swarm = run.swarm;
          const errors = collectErrors(run.seeder);
          for (const bytes of writes) {
            if (run.attacker.closed) break;
            run.attacker.sendRaw(bytes);
            await run.swarm.clock.advanceAsync(1);
          }
          await run.swarm.clock.advanceAsync(500);
          expect(errors).toEqual([]);
          expect(run.seeder.torrent.state).toBe('seeding');
          for (const close of run.closes) expect(KNOWN_REASONS.has(close.reason as CloseReason)).toBe(true);
          await honestPeerIsServed(run);
        },
      ),
      { numRuns: 100, seed: 20240601 },
    );
  });

  it('against a leecher: no throw, no error event, nothing verified or written from garbage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(hostileBytes, { minLength: 1, maxLength: 30 }),
        async (fast, writes) => {
          await swarm?.closeAll();
          const run = await leecherUnderAttack({ fast });
          swarm = run.swarm;
          const errors = collectErrors(run.leecher);
          const writesBefore = run.leecher.platform.storage.stats.writes;
          for (const bytes of writes) {
            if (run.attacker.closed) break;
            run.attacker.sendRaw(bytes);
            await run.swarm.clock.advanceAsync(1);
          }
          await run.swarm.clock.advanceAsync(500);
          expect(errors).toEqual([]);
          expect(run.leecher.torrent.state).toBe('downloading');
          expect(run.leecher.torrent.status().verifiedBytes).toBe(0);
          expect(run.leecher.platform.storage.stats.writes).toBe(writesBefore);
          for (const close of run.closes) expect(KNOWN_REASONS.has(close.reason as CloseReason)).toBe(true);
        },
      ),
      { numRuns: 100, seed: 20240602 },
    );
  });
});
