/**
 * The BEP 10 extended handshake: the first extended message (id 0), a dictionary naming the extensions a peer
 * speaks (`m`), its client (`v`), how many requests it queues (`reqq`), its listen port (`p`) and what address it
 * sees us at (`yourip`). Untrusted: decoded with tight limits, every field type-checked, absurd values clamped.
 */
import {
  type BencodeDict,
  type BencodeValue,
  decode,
  encode,
  getBytes,
  getDict,
  getInt,
  isDict,
  utf8Decode,
  utf8Encode,
} from '../bencode/index.js';

/** Extended handshakes are small; anything larger is hostile. */
export const MAX_EXTENDED_HANDSHAKE_BYTES = 64 * 1024;
/** Ceiling on a peer's advertised request queue, whatever it claims. */
export const MAX_PEER_REQQ = 2000;

export interface ExtendedHandshake {
  /** Extension name → the id the peer wants it sent with (0 = disabled). */
  readonly extensions: ReadonlyMap<string, number>;
  readonly client?: string;
  readonly reqq?: number;
  readonly listenPort?: number;
  readonly yourIp?: Uint8Array;
  readonly metadataSize?: number;
  readonly uploadOnly: boolean;
}

export interface OurExtendedHandshake {
  readonly extensions: Readonly<Record<string, number>>;
  readonly client: string;
  readonly reqq: number;
  readonly listenPort?: number;
  /** The peer's address as we see it: 4 or 16 bytes. */
  readonly yourIp?: Uint8Array;
  /** Extra top-level fields contributed by extensions (e.g. `metadata_size`). */
  readonly extra?: Readonly<Record<string, BencodeValue>>;
}

export function encodeExtendedHandshake(ours: OurExtendedHandshake): Uint8Array {
  const m: BencodeDict = new Map();
  for (const [name, id] of Object.entries(ours.extensions)) m.set(name, id);
  const dict: BencodeDict = new Map<string, BencodeValue>([
    ['m', m],
    ['reqq', ours.reqq],
    ['v', utf8Encode(ours.client)],
  ]);
  if (ours.listenPort) dict.set('p', ours.listenPort);
  if (ours.yourIp) dict.set('yourip', ours.yourIp);
  for (const [key, value] of Object.entries(ours.extra ?? {})) if (!dict.has(key)) dict.set(key, value);
  return encode(dict);
}

/** Parses a peer's extended handshake; undefined when it is not a bounded dictionary. */
export function parseExtendedHandshake(payload: Uint8Array): ExtendedHandshake | undefined {
  if (payload.length > MAX_EXTENDED_HANDSHAKE_BYTES) return undefined;
  let value: BencodeValue;
  try {
    value = decode(payload, { maxDepth: 8, maxItems: 2000, maxLength: MAX_EXTENDED_HANDSHAKE_BYTES });
  } catch {
    return undefined;
  }
  if (!isDict(value)) return undefined;
  const extensions = new Map<string, number>();
  const m = getDict(value, 'm');
  if (m) {
    for (const [name, id] of m) {
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 255) extensions.set(name, id);
    }
  }
  const reqq = getInt(value, 'reqq');
  const port = getInt(value, 'p');
  const metadataSize = getInt(value, 'metadata_size');
  const client = getBytes(value, 'v');
  const yourIp = getBytes(value, 'yourip');
  return {
    extensions,
    ...(client && client.length <= 100 && { client: utf8Decode(client) }),
    ...(reqq !== undefined && reqq > 0 && { reqq: Math.min(reqq, MAX_PEER_REQQ) }),
    ...(port !== undefined && port > 0 && port <= 65535 && { listenPort: port }),
    ...(yourIp && (yourIp.length === 4 || yourIp.length === 16) && { yourIp: yourIp.slice() }),
    ...(metadataSize !== undefined && metadataSize > 0 && { metadataSize }),
    uploadOnly: getInt(value, 'upload_only') === 1,
  };
}

/** 4 bytes for a dotted IPv4 address, undefined otherwise (IPv6 `yourip` is optional and skipped). */
export function ipv4Bytes(address: string): Uint8Array | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!/^\d{1,3}$/.test(parts[i]!) || n > 255) return undefined;
    out[i] = n;
  }
  return out;
}
