/**
 * The ut_metadata messages of BEP 9: a bencoded dictionary (`msg_type` 0 request, 1 data, 2 reject; `piece`;
 * `total_size` with data) followed, for data, by the raw bytes of one 16 KiB metadata piece. Untrusted: decoded
 * with tight limits; anything malformed is undefined.
 */
import { type BencodeDict, decodePrefix, encode, getInt, isDict } from '../bencode/index.js';

/** Metadata travels in pieces of 16 KiB (the last may be shorter). */
export const METADATA_PIECE_SIZE = 16 * 1024;
/** Largest info dictionary we accept, checked before any allocation. */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;

export type MetadataMessage =
  | { readonly type: 'request'; readonly piece: number }
  | { readonly type: 'data'; readonly piece: number; readonly totalSize: number; readonly data: Uint8Array }
  | { readonly type: 'reject'; readonly piece: number };

const MSG_TYPE = { request: 0, data: 1, reject: 2 } as const;

export function encodeMetadataMessage(message: MetadataMessage): Uint8Array {
  const dict: BencodeDict = new Map([
    ['msg_type', MSG_TYPE[message.type]],
    ['piece', message.piece],
  ]);
  if (message.type !== 'data') return encode(dict);
  dict.set('total_size', message.totalSize);
  const head = encode(dict);
  const out = new Uint8Array(head.length + message.data.length);
  out.set(head);
  out.set(message.data, head.length);
  return out;
}

export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage | undefined {
  let decoded: ReturnType<typeof decodePrefix>;
  try {
    decoded = decodePrefix(payload, { maxDepth: 2, maxItems: 32, maxLength: METADATA_PIECE_SIZE + 1024 });
  } catch {
    return undefined;
  }
  const { value, end } = decoded;
  if (!isDict(value)) return undefined;
  const type = getInt(value, 'msg_type');
  const piece = getInt(value, 'piece');
  if (piece === undefined || piece < 0 || piece >= MAX_METADATA_SIZE / METADATA_PIECE_SIZE) return undefined;
  if (type === MSG_TYPE.request) return end === payload.length ? { type: 'request', piece } : undefined;
  if (type === MSG_TYPE.reject) return { type: 'reject', piece };
  if (type !== MSG_TYPE.data) return undefined;
  const totalSize = getInt(value, 'total_size');
  if (totalSize === undefined || totalSize <= 0 || totalSize > MAX_METADATA_SIZE) return undefined;
  const data = payload.subarray(end);
  if (data.length > METADATA_PIECE_SIZE) return undefined;
  return { type: 'data', piece, totalSize, data };
}

/** Number of 16 KiB pieces of metadata of `size` bytes, and the length of piece `piece`. */
export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_SIZE);
}

export function metadataPieceLength(size: number, piece: number): number {
  return Math.min(METADATA_PIECE_SIZE, size - piece * METADATA_PIECE_SIZE);
}
