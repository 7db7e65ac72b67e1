/**
 * Fixtures for the hostile-peer tests (the wire part of the attack catalogue): a bitloom seeder that a scripted
 * attacker dials, or a bitloom leecher that dials a scripted attacker posing as a seeder — each in a simulated
 * swarm with honest bitloom peers, so a test can show the engine still serves (or completes) after the attack.
 */
import type { Settings } from '@bitloom/engine';
import { expect } from 'vitest';
import { type DialOptions, ScriptedPeer } from '../helpers/scripted-peer.js';
import {
  makeSwarmTorrent,
  Swarm,
  type SwarmPeer,
  type SwarmTorrent,
  sameBytes,
} from '../swarm/swarm-fixture.js';

export const KiB = 1024;
/** The attacker's virtual host; the swarm's own peers are 10.0.0.1, 10.0.0.2, … */
export const ATTACKER_HOST = '10.0.0.66';
export const ATTACKER_PORT = 7000;
/** Piece size of the hostile torrent: four 16 KiB blocks. */
export const PIECE_LENGTH = 64 * KiB;
/** Five full pieces and a 1000-byte last piece: 6 pieces, so a bitfield is 1 byte with 2 spare bits. */
export const PIECE_COUNT = 6;
export const LAST_PIECE_LENGTH = 1000;

/** A 'peer-closed' event as the torrent reports it. */
export interface PeerClosed {
  address: string;
  reason: string;
  detail: string;
}

let sharedTorrent: Promise<SwarmTorrent> | undefined;

/** The one torrent every hostile test uses (built once: hashing it is the slow part). */
export function hostileTorrent(): Promise<SwarmTorrent> {
  sharedTorrent ??= makeSwarmTorrent(
    [{ name: 'payload.bin', length: (PIECE_COUNT - 1) * PIECE_LENGTH + LAST_PIECE_LENGTH }],
    PIECE_LENGTH,
  );
  return sharedTorrent;
}

/** How the attacker dials: the fixture fills in the torrent's info-hash and the clock unless given. */
export type AttackerOptions = Omit<DialOptions, 'infoHash'> & { infoHash?: Uint8Array };

export interface SeederUnderAttack {
  readonly swarm: Swarm;
  readonly torrent: SwarmTorrent;
  readonly seeder: SwarmPeer;
  readonly attacker: ScriptedPeer;
  /** Every 'peer-closed' event of the seeder's torrent. */
  readonly closes: PeerClosed[];
}

/**
 * A bitloom seeder (seeding already) and a scripted attacker that dialled it. Unless `sendHandshake` is false,
 * returns once the seeder's handshake reached the attacker (or the attacker was closed).
 */
export async function seederUnderAttack(
  options: {
    settings?: Partial<Settings>;
    attacker?: AttackerOptions | ((seeder: SwarmPeer) => AttackerOptions);
  } = {},
): Promise<SeederUnderAttack> {
  const torrent = await hostileTorrent();
  const swarm = new Swarm(torrent);
  const seeder = await swarm.addSeeder(options.settings);
  await swarm.clock.runUntil(() => seeder.torrent.state === 'seeding');
  const closes: PeerClosed[] = [];
  seeder.torrent.on('peer-closed', (e) => closes.push(e));
  const attackerOptions =
    typeof options.attacker === 'function' ? options.attacker(seeder) : options.attacker;
  const attacker = ScriptedPeer.dial(
    swarm.network.host(ATTACKER_HOST),
    seeder.host,
    seeder.session.listenPort,
    { infoHash: torrent.info.infoHash, clock: swarm.clock, ...attackerOptions },
  );
  await swarm.clock.runUntil(() => attacker.connected || attacker.closed);
  if (attackerOptions?.sendHandshake !== false) {
    await swarm.clock.runUntil(() => attacker.handshake !== undefined || attacker.closed);
    await swarm.clock.advanceAsync(5);
  }
  return { swarm, torrent, seeder, attacker, closes };
}

export interface LeecherUnderAttack {
  readonly swarm: Swarm;
  readonly torrent: SwarmTorrent;
  readonly leecher: SwarmPeer;
  readonly attacker: ScriptedPeer;
  readonly closes: PeerClosed[];
}

/**
 * A bitloom leecher that dialled a scripted attacker posing as a seeder: the attacker has sent a full bitfield and
 * UNCHOKE, and the leecher's first requests have arrived. No honest seeder yet: add one with `honestSeederJoins`.
 */
export async function leecherUnderAttack(options: { fast?: boolean } = {}): Promise<LeecherUnderAttack> {
  const torrent = await hostileTorrent();
  const swarm = new Swarm(torrent);
  const attacker = await ScriptedPeer.listen(swarm.network.host(ATTACKER_HOST), ATTACKER_PORT, {
    fast: options.fast ?? false,
    clock: swarm.clock,
  });
  const leecher = await swarm.addLeecher();
  const closes: PeerClosed[] = [];
  leecher.torrent.on('peer-closed', (e) => closes.push(e));
  leecher.torrent.addPeer(ATTACKER_HOST, ATTACKER_PORT);
  await swarm.clock.runUntil(() => attacker.handshake !== undefined);
  attacker.send({ type: 'bitfield', bytes: fullBitfield() });
  await swarm.clock.runUntil(() => attacker.count('interested') > 0);
  attacker.send({ type: 'unchoke' });
  await swarm.clock.runUntil(() => attacker.requests().length > 0);
  await swarm.clock.advanceAsync(5);
  return { swarm, torrent, leecher, attacker, closes };
}

/** A bitfield with every one of the hostile torrent's pieces set, spare bits clear. */
export function fullBitfield(): Uint8Array {
  return Uint8Array.of(0xff << (8 - PIECE_COUNT));
}

/** Closes the attacker's events carry, as `reason` strings. */
export function attackerCloses(closes: readonly PeerClosed[]): string[] {
  return closes.filter((c) => c.address.startsWith(`${ATTACKER_HOST}:`)).map((c) => c.reason);
}

/** An honest bitloom leecher joins `seeder`'s swarm and must download the exact payload. */
export async function honestLeecherCompletes(swarm: Swarm, seeder: SwarmPeer): Promise<void> {
  const leecher = await swarm.addLeecher({}, [seeder]);
  await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
  expect(sameBytes(swarm.contents(leecher), swarm.torrent.payload)).toBe(true);
  expect(leecher.torrent.status().hashFailures).toBe(0);
}

/** An honest bitloom seeder joins and `leecher` must complete with the exact payload and no hash failure. */
export async function honestSeederJoins(swarm: Swarm, leecher: SwarmPeer): Promise<void> {
  const seeder = await swarm.addSeeder();
  await swarm.clock.runUntil(() => seeder.torrent.state === 'seeding');
  leecher.torrent.addPeer(seeder.host, seeder.session.listenPort);
  await swarm.clock.runUntil(() => leecher.torrent.complete, { maxMs: 120_000 });
  expect(sameBytes(swarm.contents(leecher), swarm.torrent.payload)).toBe(true);
  expect(leecher.torrent.status().hashFailures).toBe(0);
}

/** A 4-byte big-endian length prefix followed by `body`. */
export function frame(body: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/** A uint32 as its four big-endian bytes. */
export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}
