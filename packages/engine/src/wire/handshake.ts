/**
 * The BEP 3 handshake: `<19>"BitTorrent protocol"<8 reserved bytes><20-byte info hash><20-byte peer id>`, 68 bytes,
 * and the reserved bits that announce extensions (BEP 10 extension protocol, BEP 6 Fast, BEP 5 DHT).
 */
import { WireError } from './wire-error.js';

/** A peer's handshake. The framer's views may alias the received chunk: copy what you keep. */
export interface Handshake {
  /** 8 bytes of extension flags; see {@link reservedBits}. */
  reserved: Uint8Array;
  /** 20 bytes: the SHA-1 of the torrent's info dictionary. */
  infoHash: Uint8Array;
  /** 20 bytes chosen by the peer. */
  peerId: Uint8Array;
}

export const PROTOCOL_NAME = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
export const RESERVED_LENGTH = 8;
export const INFO_HASH_LENGTH = 20;
export const PEER_ID_LENGTH = 20;

/** The first 20 bytes of every handshake: the length byte 19, then the protocol name in ASCII. */
export const PROTOCOL_HEADER: Uint8Array = Uint8Array.from([
  PROTOCOL_NAME.length,
  ...Array.from(PROTOCOL_NAME, (char) => char.charCodeAt(0)),
]);

// Where each extension keeps its flag in the reserved bytes.
const EXTENDED_BYTE = 5; // BEP 10: reserved[5] & 0x10
const EXTENDED_MASK = 0x10;
const FAST_BYTE = 7; // BEP 6: reserved[7] & 0x04
const FAST_MASK = 0x04;
const DHT_BYTE = 7; // BEP 5: reserved[7] & 0x01
const DHT_MASK = 0x01;

/** Builds the 8 reserved bytes announcing the given extensions. */
export function reservedBits(opts: { extended?: boolean; fast?: boolean; dht?: boolean }): Uint8Array {
  const reserved = new Uint8Array(RESERVED_LENGTH);
  if (opts.extended) reserved[EXTENDED_BYTE]! |= EXTENDED_MASK;
  if (opts.fast) reserved[FAST_BYTE]! |= FAST_MASK;
  if (opts.dht) reserved[DHT_BYTE]! |= DHT_MASK;
  return reserved;
}

/** Whether the peer supports the BEP 10 extension protocol. */
export function supportsExtended(reserved: Uint8Array): boolean {
  return ((reserved[EXTENDED_BYTE] ?? 0) & EXTENDED_MASK) !== 0;
}

/** Whether the peer supports the BEP 6 Fast extension. */
export function supportsFast(reserved: Uint8Array): boolean {
  return ((reserved[FAST_BYTE] ?? 0) & FAST_MASK) !== 0;
}

/** Whether the peer runs a BEP 5 DHT node (it may then send PORT). */
export function supportsDht(reserved: Uint8Array): boolean {
  return ((reserved[DHT_BYTE] ?? 0) & DHT_MASK) !== 0;
}

/** Encodes a handshake into its 68 bytes. Throws `WIRE_BAD_ARGUMENT` when a field has the wrong size. */
export function encodeHandshake(h: Handshake): Uint8Array {
  checkFieldLength('reserved', h.reserved, RESERVED_LENGTH);
  checkFieldLength('infoHash', h.infoHash, INFO_HASH_LENGTH);
  checkFieldLength('peerId', h.peerId, PEER_ID_LENGTH);
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out.set(PROTOCOL_HEADER, 0);
  out.set(h.reserved, 20);
  out.set(h.infoHash, 28);
  out.set(h.peerId, 48);
  return out;
}

function checkFieldLength(name: string, field: Uint8Array, expected: number): void {
  if (field.length !== expected) {
    throw new WireError(
      'WIRE_BAD_ARGUMENT',
      `handshake ${name} must be ${expected} bytes, got ${field.length}`,
    );
  }
}
