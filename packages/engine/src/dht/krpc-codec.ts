/**
 * KRPC messages (BEP 5): bencoded dictionaries with a transaction id `t`, a type `y` (`q` query, `r` response,
 * `e` error) and the query name `q` with arguments `a`, the response values `r`, or the error list `e`
 * ([code, message]). Decoding is bounded (size, nesting, item count) and never throws: a message that is not
 * KRPC comes back as `malformed`, with its transaction id when one could be read, so the caller can answer
 * with error 203.
 */
import { bytesToBinaryString, utf8Decode, utf8Encode } from '../bencode/binary-string.js';
import { decode } from '../bencode/decoder.js';
import { encode } from '../bencode/encoder.js';
import type { BencodeDict, BencodeValue } from '../bencode/types.js';

/** KRPC error numbers (BEP 5). */
export const KRPC_GENERIC_ERROR = 201;
export const KRPC_SERVER_ERROR = 202;
export const KRPC_PROTOCOL_ERROR = 203;
export const KRPC_METHOD_UNKNOWN = 204;

/** Longest transaction id we accept from others; real clients use 2–4 bytes. */
export const MAX_TRANSACTION_ID_BYTES = 16;
/** Longest query name we look at. */
const MAX_METHOD_BYTES = 32;
/** Longest error message we keep from a remote node. */
const MAX_ERROR_MESSAGE_BYTES = 256;

/** Bounds of the KRPC decoder. */
export interface KrpcDecodeLimits {
  /** Largest datagram decoded; bigger ones are malformed. */
  maxMessageBytes: number;
  /** Most bencode values in one message. */
  maxItems: number;
}

export interface KrpcQuery {
  readonly kind: 'query';
  readonly transactionId: Uint8Array;
  /** The query name, e.g. `get_peers` (bytes read as UTF-8). */
  readonly method: string;
  readonly args: BencodeDict;
  /** BEP 43: the querier is read-only and must not be put in routing tables. */
  readonly readOnly: boolean;
}

export interface KrpcResponse {
  readonly kind: 'response';
  readonly transactionId: Uint8Array;
  readonly values: BencodeDict;
}

export interface KrpcErrorMessage {
  readonly kind: 'error';
  readonly transactionId: Uint8Array;
  readonly code: number;
  readonly message: string;
}

export interface KrpcMalformed {
  readonly kind: 'malformed';
  /** Present when the message was a dictionary with a usable `t`: a query-like message can get error 203. */
  readonly transactionId: Uint8Array | undefined;
  /** Whether the message claimed to be a query (`y` = `q`): only queries are answered with an error. */
  readonly wasQuery: boolean;
  readonly reason: string;
}

export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcErrorMessage;

function malformed(reason: string, dict?: BencodeDict): KrpcMalformed {
  const t = dict?.get('t');
  const transactionId =
    t instanceof Uint8Array && t.length > 0 && t.length <= MAX_TRANSACTION_ID_BYTES ? t : undefined;
  const y = dict?.get('y');
  const wasQuery = y instanceof Uint8Array && y.length === 1 && y[0] === 0x71;
  return { kind: 'malformed', transactionId, wasQuery, reason };
}

/** Parses one datagram. Never throws. */
export function decodeKrpc(datagram: Uint8Array, limits: KrpcDecodeLimits): KrpcMessage | KrpcMalformed {
  if (datagram.length > limits.maxMessageBytes) return malformed('message too large');
  let root: BencodeValue;
  try {
    root = decode(datagram, { maxDepth: 8, maxItems: limits.maxItems, maxLength: limits.maxMessageBytes });
  } catch {
    return malformed('not bencode');
  }
  if (!(root instanceof Map)) return malformed('not a dictionary');
  const t = root.get('t');
  if (!(t instanceof Uint8Array) || t.length === 0 || t.length > MAX_TRANSACTION_ID_BYTES) {
    return malformed('bad transaction id', root);
  }
  const y = root.get('y');
  const type = y instanceof Uint8Array && y.length === 1 ? String.fromCharCode(y[0]!) : '';
  if (type === 'q') {
    const q = root.get('q');
    const a = root.get('a');
    if (!(q instanceof Uint8Array) || q.length === 0 || q.length > MAX_METHOD_BYTES) {
      return malformed('bad query name', root);
    }
    if (!(a instanceof Map)) return malformed('query without arguments', root);
    const ro = root.get('ro');
    return { kind: 'query', transactionId: t, method: utf8Decode(q), args: a, readOnly: ro === 1 };
  }
  if (type === 'r') {
    const r = root.get('r');
    if (!(r instanceof Map)) return malformed('response without values', root);
    return { kind: 'response', transactionId: t, values: r };
  }
  if (type === 'e') {
    const e = root.get('e');
    const code = Array.isArray(e) && typeof e[0] === 'number' ? e[0] : KRPC_GENERIC_ERROR;
    const text = Array.isArray(e) && e[1] instanceof Uint8Array ? e[1] : new Uint8Array(0);
    const message = utf8Decode(text.subarray(0, MAX_ERROR_MESSAGE_BYTES));
    return { kind: 'error', transactionId: t, code, message };
  }
  return malformed('unknown message type', root);
}

/** Dictionary from entries whose keys are ASCII (KRPC keys always are). */
export function krpcDict(entries: Record<string, BencodeValue | undefined>): BencodeDict {
  const dict: BencodeDict = new Map();
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) dict.set(key, value);
  }
  return dict;
}

export function encodeQuery(
  transactionId: Uint8Array,
  method: string,
  args: BencodeDict,
  version?: Uint8Array,
): Uint8Array {
  return encode(
    krpcDict({ t: transactionId, y: utf8Encode('q'), q: utf8Encode(method), a: args, v: version }),
  );
}

export function encodeResponse(
  transactionId: Uint8Array,
  values: BencodeDict,
  version?: Uint8Array,
): Uint8Array {
  return encode(krpcDict({ t: transactionId, y: utf8Encode('r'), r: values, v: version }));
}

export function encodeError(transactionId: Uint8Array, code: number, message: string): Uint8Array {
  return encode(krpcDict({ t: transactionId, y: utf8Encode('e'), e: [code, utf8Encode(message)] }));
}

/** A transaction id as a map key. */
export function transactionKey(transactionId: Uint8Array): string {
  return bytesToBinaryString(transactionId);
}
