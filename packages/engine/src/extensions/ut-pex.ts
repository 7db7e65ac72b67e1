/**
 * Peer exchange (BEP 11, ut_pex) on the extension API: about once a minute each peer that speaks it hears which
 * peers we connected to (`added`, with flags) and lost (`dropped`) since our last message, IPv4 and IPv6, at most 50
 * of each; peers it tells us about join the known-peer list. Bounded: messages from one peer are taken at most
 * every 45 s, entries beyond 50 per list ignored, port 0 dropped. Never registered for private torrents (BEP 27).
 */
import { type BencodeDict, decode, encode, getBytes, isDict } from '../bencode/index.js';
import type { PeerConnection } from '../peer/peer-connection.js';
import { parseCompactPeers } from '../tracker/compact-peers.js';
import type { ExtendedHandshake } from './extended-handshake.js';
import type { ExtensionRegistry, PeerExtension } from './extension-registry.js';

export const UT_PEX = 'ut_pex';
export const PEX_INTERVAL_MS = 60_000;
/** Entries per list (added, dropped, for each family), as BEP 11 recommends. */
export const PEX_MAX_ENTRIES = 50;
/** A peer sending PEX more often than this is ignored in between (flood guard). */
export const PEX_MIN_RECEIVE_INTERVAL_MS = 45_000;
/** Largest PEX message decoded. */
export const PEX_MAX_MESSAGE_BYTES = 8 * 1024;

/** PEX flags (BEP 11): bit 0x02 seed, 0x10 reachable (we dialled it, so it accepts connections). */
const FLAG_SEED = 0x02;
const FLAG_REACHABLE = 0x10;

export interface PexPeer {
  readonly host: string;
  readonly port: number;
  readonly seed: boolean;
  readonly reachable: boolean;
}

interface PexState {
  sent: Map<string, PexPeer>;
  nextSendAt: number;
  lastReceivedAt: number;
}

export interface UtPexOptions {
  readonly registry: ExtensionRegistry;
  readonly now: () => number;
  /** Our connected peers, by their listen addresses. */
  readonly connectedPeers: () => Iterable<PexPeer>;
  readonly onPeers: (peers: { host: string; port: number }[]) => void;
}

export class UtPex implements PeerExtension {
  readonly name = UT_PEX;
  private readonly states = new Map<PeerConnection, PexState>();

  constructor(private readonly options: UtPexOptions) {}

  onHandshake(peer: PeerConnection, _handshake: ExtendedHandshake, supported: boolean): void {
    if (!supported) {
      this.states.delete(peer);
      return;
    }
    if (!this.states.has(peer)) {
      // The first message goes out soon after the handshake, then once a minute.
      this.states.set(peer, {
        sent: new Map(),
        nextSendAt: this.options.now() + 5_000,
        lastReceivedAt: -Infinity,
      });
    }
  }

  onMessage(peer: PeerConnection, payload: Uint8Array): void {
    const state = this.states.get(peer);
    const now = this.options.now();
    if (!state || payload.length > PEX_MAX_MESSAGE_BYTES) return;
    if (now - state.lastReceivedAt < PEX_MIN_RECEIVE_INTERVAL_MS) return;
    state.lastReceivedAt = now;
    const peers = decodePex(payload);
    if (peers.length > 0) this.options.onPeers(peers);
  }

  onPeerClosed(peer: PeerConnection): void {
    this.states.delete(peer);
  }

  /** Sends what changed to each peer whose minute is up. */
  tick(now: number): void {
    let current: Map<string, PexPeer> | undefined;
    for (const [peer, state] of this.states) {
      if (now < state.nextSendAt || peer.isClosed) continue;
      current ??= new Map([...this.options.connectedPeers()].map((p) => [key(p), p]));
      const self = `${peer.remoteAddress}:${peer.peerListenPort ?? peer.remotePort}`;
      const added = [...current.values()].filter((p) => !state.sent.has(key(p)) && key(p) !== self);
      const dropped = [...state.sent.values()].filter((p) => !current!.has(key(p)));
      state.nextSendAt = now + PEX_INTERVAL_MS;
      const addedNow = added.slice(0, PEX_MAX_ENTRIES);
      const droppedNow = dropped.slice(0, PEX_MAX_ENTRIES);
      if (addedNow.length === 0 && droppedNow.length === 0) continue;
      for (const p of addedNow) state.sent.set(key(p), p);
      for (const p of droppedNow) state.sent.delete(key(p));
      this.options.registry.send(peer, UT_PEX, encodePex(addedNow, droppedNow));
    }
  }
}

/** Connected peers by the address they accept connections on (what PEX tells others). */
export function* pexPeersOf(peers: Iterable<PeerConnection>): Iterable<PexPeer> {
  for (const peer of peers) {
    const port = peer.outgoing ? peer.remotePort : peer.peerListenPort;
    if (!peer.isActive || port === undefined) continue;
    yield { host: peer.remoteAddress, port, seed: peer.peerIsSeed, reachable: peer.outgoing };
  }
}

function key(peer: { host: string; port: number }): string {
  return `${peer.host}:${peer.port}`;
}

export function encodePex(added: readonly PexPeer[], dropped: readonly PexPeer[]): Uint8Array {
  const dict: BencodeDict = new Map();
  const v4Added = added.filter((p) => !p.host.includes(':'));
  const v6Added = added.filter((p) => p.host.includes(':'));
  dict.set('added', compact(v4Added, 4));
  dict.set('added.f', new Uint8Array(v4Added.map(flags)));
  dict.set(
    'dropped',
    compact(
      dropped.filter((p) => !p.host.includes(':')),
      4,
    ),
  );
  if (v6Added.length > 0) {
    dict.set('added6', compact(v6Added, 6));
    dict.set('added6.f', new Uint8Array(v6Added.map(flags)));
  }
  const v6Dropped = dropped.filter((p) => p.host.includes(':'));
  if (v6Dropped.length > 0) dict.set('dropped6', compact(v6Dropped, 6));
  return encode(dict);
}

/** The `added` peers of a PEX message (IPv4 and IPv6), malformed lists skipped, at most 50 of each. */
export function decodePex(payload: Uint8Array): { host: string; port: number }[] {
  let value: ReturnType<typeof decode>;
  try {
    value = decode(payload, { maxDepth: 2, maxItems: 64, maxLength: PEX_MAX_MESSAGE_BYTES });
  } catch {
    return [];
  }
  if (!isDict(value)) return [];
  const out: { host: string; port: number }[] = [];
  for (const [field, family] of [
    ['added', 4],
    ['added6', 6],
  ] as const) {
    const bytes = getBytes(value, field);
    if (!bytes) continue;
    try {
      for (const peer of parseCompactPeers(bytes, family, PEX_MAX_ENTRIES)) if (peer.port > 0) out.push(peer);
    } catch {
      // not a whole number of entries: the list is ignored
    }
  }
  return out;
}

function flags(peer: PexPeer): number {
  return (peer.seed ? FLAG_SEED : 0) | (peer.reachable ? FLAG_REACHABLE : 0);
}

function compact(peers: readonly PexPeer[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? 6 : 18;
  const out = new Uint8Array(peers.length * size);
  peers.forEach((peer, i) => {
    const at = i * size;
    if (family === 4) {
      const parts = peer.host.split('.').map(Number);
      for (let b = 0; b < 4; b++) out[at + b] = parts[b]! & 0xff;
    } else {
      out.set(ipv6Bytes(peer.host), at);
    }
    out[at + size - 2] = peer.port >> 8;
    out[at + size - 1] = peer.port & 0xff;
  });
  return out;
}

function ipv6Bytes(host: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head = '', tail = ''] = host.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = host.includes('::') && tail ? tail.split(':') : [];
  const groups = host.includes('::')
    ? [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  groups.slice(0, 8).forEach((g, i) => {
    const n = Number.parseInt(g, 16) || 0;
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}
