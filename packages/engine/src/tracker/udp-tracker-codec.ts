/**
 * The packets of the UDP tracker protocol (BEP 15): connect, announce, scrape and error, big-endian. Encoders
 * build requests; decoders read replies whose header (action, transaction id) was already checked by the client
 * and return undefined for a packet too short to be the reply it claims to be.
 */
import { utf8Decode } from '../bencode/binary-string.js';
import type { AnnounceEvent, AnnounceRequest, ScrapeResult } from './announce-types.js';

/** The magic constant of a connect request. */
export const UDP_PROTOCOL_ID = 0x41727101980n;

export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;

/** Bytes of the action + transaction id header every reply starts with. */
export const UDP_REPLY_HEADER_BYTES = 8;
export const UDP_CONNECT_REPLY_BYTES = 16;
export const UDP_ANNOUNCE_REPLY_HEADER_BYTES = 20;
/** Info-hashes one scrape packet may carry (BEP 15: about 74 fit in a datagram). */
export const UDP_MAX_SCRAPE_HASHES = 74;
/** Longest error message kept from an error packet, in bytes. */
const MAX_ERROR_MESSAGE_BYTES = 300;

const EVENT_CODES: Record<AnnounceEvent, number> = { completed: 1, started: 2, stopped: 3 };

function uint64(value: number): bigint {
  return BigInt(Math.max(0, Math.floor(Number.isFinite(value) ? value : 0)));
}

export function encodeConnectRequest(transactionId: number): Uint8Array {
  const packet = new Uint8Array(16);
  const view = new DataView(packet.buffer);
  view.setBigUint64(0, UDP_PROTOCOL_ID);
  view.setUint32(8, ACTION_CONNECT);
  view.setUint32(12, transactionId);
  return packet;
}

export function encodeAnnounceRequest(
  connectionId: Uint8Array,
  transactionId: number,
  request: AnnounceRequest,
): Uint8Array {
  const packet = new Uint8Array(98);
  const view = new DataView(packet.buffer);
  packet.set(connectionId.subarray(0, 8), 0);
  view.setUint32(8, ACTION_ANNOUNCE);
  view.setUint32(12, transactionId);
  packet.set(request.infoHash.subarray(0, 20), 16);
  packet.set(request.peerId.subarray(0, 20), 36);
  view.setBigUint64(56, uint64(request.downloaded));
  view.setBigUint64(64, uint64(request.left));
  view.setBigUint64(72, uint64(request.uploaded));
  view.setUint32(80, request.event === undefined ? 0 : EVENT_CODES[request.event]);
  view.setUint32(84, 0); // IP address: 0 = the sender's
  view.setUint32(88, request.key >>> 0);
  view.setInt32(92, request.numwant);
  view.setUint16(96, request.port);
  return packet;
}

export function encodeScrapeRequest(
  connectionId: Uint8Array,
  transactionId: number,
  infoHashes: readonly Uint8Array[],
): Uint8Array {
  const packet = new Uint8Array(16 + 20 * infoHashes.length);
  const view = new DataView(packet.buffer);
  packet.set(connectionId.subarray(0, 8), 0);
  view.setUint32(8, ACTION_SCRAPE);
  view.setUint32(12, transactionId);
  for (const [index, hash] of infoHashes.entries()) packet.set(hash.subarray(0, 20), 16 + 20 * index);
  return packet;
}

/** Action and transaction id of a reply, or undefined when it is too short to have them. */
export function decodeReplyHeader(packet: Uint8Array): { action: number; transactionId: number } | undefined {
  if (packet.length < UDP_REPLY_HEADER_BYTES) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return { action: view.getUint32(0), transactionId: view.getUint32(4) };
}

/** The 8-byte connection id of a connect reply. */
export function decodeConnectReply(packet: Uint8Array): Uint8Array | undefined {
  return packet.length < UDP_CONNECT_REPLY_BYTES ? undefined : packet.slice(8, 16);
}

/** The fixed part of an announce reply and the raw compact peer bytes after it. */
export function decodeAnnounceReply(
  packet: Uint8Array,
): { interval: number; leechers: number; seeders: number; peerBytes: Uint8Array } | undefined {
  if (packet.length < UDP_ANNOUNCE_REPLY_HEADER_BYTES) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    interval: view.getUint32(8),
    leechers: view.getUint32(12),
    seeders: view.getUint32(16),
    peerBytes: packet.subarray(UDP_ANNOUNCE_REPLY_HEADER_BYTES),
  };
}

/** Scrape entries, paired with the hashes asked for in order; a short reply yields fewer entries. */
export function decodeScrapeReply(packet: Uint8Array, infoHashes: readonly Uint8Array[]): ScrapeResult[] {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const count = Math.min(infoHashes.length, Math.floor((packet.length - UDP_REPLY_HEADER_BYTES) / 12));
  const results: ScrapeResult[] = [];
  for (let index = 0; index < count; index++) {
    const offset = UDP_REPLY_HEADER_BYTES + 12 * index;
    results.push({
      infoHash: infoHashes[index]!,
      seeders: view.getUint32(offset),
      downloaded: view.getUint32(offset + 4),
      leechers: view.getUint32(offset + 8),
    });
  }
  return results;
}

/** The message of an error reply. */
export function decodeErrorReply(packet: Uint8Array): string {
  return utf8Decode(
    packet.subarray(UDP_REPLY_HEADER_BYTES, UDP_REPLY_HEADER_BYTES + MAX_ERROR_MESSAGE_BYTES),
  );
}
