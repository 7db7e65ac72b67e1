/**
 * Compact address formats of the Mainline DHT (BEP 5, IPv4): a peer is 6 bytes (address, port), a node is 26
 * bytes (id, address, port). Decoders skip entries that no one could reach — port 0, unspecified, broadcast
 * or multicast addresses — and never read more than the caller's cap.
 */
import { NODE_ID_BYTES } from './node-id.js';

/** An address to send datagrams to or to dial. */
export interface DhtAddress {
  readonly host: string;
  readonly port: number;
}

/** A DHT node: its id and UDP address. */
export interface DhtContact extends DhtAddress {
  readonly id: Uint8Array;
}

export const COMPACT_PEER_BYTES = 6;
export const COMPACT_NODE_BYTES = NODE_ID_BYTES + COMPACT_PEER_BYTES;

const IPV4_LITERAL = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 4 bytes of a dotted IPv4 address, or undefined when `host` is not one. */
export function parseIpv4(host: string): Uint8Array | undefined {
  const match = IPV4_LITERAL.exec(host);
  if (match === null) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const octet = Number(match[i + 1]);
    if (octet > 255) return undefined;
    bytes[i] = octet;
  }
  return bytes;
}

/** Whether a datagram could ever reach this address: a real port, not 0.0.0.0, multicast or broadcast. */
export function isRoutableAddress(host: string, port: number): boolean {
  const ip = parseIpv4(host);
  if (ip === undefined) return false;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return false;
  return ip[0] !== 0 && ip[0]! < 224;
}

/** 6 bytes for an IPv4 peer, or undefined when the address is not IPv4 or the port is out of range. */
export function encodeCompactPeer(host: string, port: number): Uint8Array | undefined {
  const ip = parseIpv4(host);
  if (ip === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  const out = new Uint8Array(COMPACT_PEER_BYTES);
  out.set(ip, 0);
  out[4] = port >> 8;
  out[5] = port & 0xff;
  return out;
}

function readAddress(bytes: Uint8Array, offset: number): DhtAddress {
  const host = `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  const port = (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
  return { host, port };
}

/** One peer from 6 bytes; undefined when the length is wrong or the address unreachable. */
export function decodeCompactPeer(bytes: Uint8Array): DhtAddress | undefined {
  if (bytes.length !== COMPACT_PEER_BYTES) return undefined;
  const peer = readAddress(bytes, 0);
  return isRoutableAddress(peer.host, peer.port) ? peer : undefined;
}

/** 26 bytes per node, concatenated; nodes whose address is not IPv4 are left out. */
export function encodeCompactNodes(nodes: readonly DhtContact[]): Uint8Array {
  const out = new Uint8Array(nodes.length * COMPACT_NODE_BYTES);
  let offset = 0;
  for (const node of nodes) {
    const peer = encodeCompactPeer(node.host, node.port);
    if (peer === undefined || node.id.length !== NODE_ID_BYTES) continue;
    out.set(node.id, offset);
    out.set(peer, offset + NODE_ID_BYTES);
    offset += COMPACT_NODE_BYTES;
  }
  return out.subarray(0, offset);
}

/**
 * Nodes from a compact `nodes` string: at most `maxNodes` are read, a trailing partial entry is ignored, and
 * unreachable ones are skipped. Ids are copied, so the datagram can be released.
 */
export function decodeCompactNodes(bytes: Uint8Array, maxNodes: number): DhtContact[] {
  const nodes: DhtContact[] = [];
  const count = Math.min(Math.floor(bytes.length / COMPACT_NODE_BYTES), Math.max(0, maxNodes));
  for (let i = 0; i < count; i++) {
    const offset = i * COMPACT_NODE_BYTES;
    const address = readAddress(bytes, offset + NODE_ID_BYTES);
    if (!isRoutableAddress(address.host, address.port)) continue;
    nodes.push({ id: bytes.slice(offset, offset + NODE_ID_BYTES), host: address.host, port: address.port });
  }
  return nodes;
}
