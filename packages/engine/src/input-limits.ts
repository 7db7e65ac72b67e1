/**
 * Every bound bitloom puts on untrusted input that is not a session setting: parser limits (bencode, .torrent,
 * magnet, extension messages, tracker responses, KRPC) and protocol caps, each with where it applies, how a caller
 * can change it, and why it has the value it has. The values are the constants the code uses, imported here, so
 * this table cannot drift from them; the README's limits table is generated from it and from SETTINGS_TABLE
 * (scripts/settings-table.mjs), and a test checks the README against both.
 */
import { MAX_INTEGER_DIGITS } from './bencode/decoder.js';
import {
  BENCODE_DEFAULT_MAX_DEPTH,
  BENCODE_DEFAULT_MAX_ITEMS,
  BENCODE_DEFAULT_MAX_LENGTH,
} from './bencode/types.js';
import { MSE_MAX_PAD } from './crypto/mse-protocol.js';
import { DEFAULT_DHT_LIMITS } from './dht/dht-limits.js';
import { MAX_TRANSACTION_ID_BYTES } from './dht/krpc-codec.js';
import { MAX_TOKEN_BYTES } from './dht/token-issuer.js';
import { MAX_EXTENDED_HANDSHAKE_BYTES, MAX_PEER_REQQ } from './extensions/extended-handshake.js';
import { METADATA_REQUEST_TIMEOUT_MS } from './extensions/ut-metadata.js';
import { MAX_METADATA_SIZE } from './extensions/ut-metadata-message.js';
import { PEX_MAX_ENTRIES, PEX_MAX_MESSAGE_BYTES, PEX_MIN_RECEIVE_INTERVAL_MS } from './extensions/ut-pex.js';
import { BLOCK_SIZE } from './indices.js';
import {
  MAX_MAGNET_FILE_INDEX,
  MAX_MAGNET_PEERS,
  MAX_MAGNET_SELECT_RANGES,
  MAX_MAGNET_TRACKERS,
  MAX_MAGNET_URI_LENGTH,
  MAX_MAGNET_WEB_SEEDS,
} from './magnet/magnet-link.js';
import { MAX_PATH_ELEMENT_BYTES } from './metainfo/file-path.js';
import { DEFAULT_METAINFO_LIMITS } from './metainfo/limits.js';
import { MAX_URL_LENGTH } from './metainfo/tracker-urls.js';
import { HTTP_DEFAULT_MAX_REDIRECTS } from './platform/http.js';
import {
  MAX_INTERVAL_MS,
  MAX_PEERS_PER_RESPONSE,
  MAX_TRACKER_RESPONSE_BYTES,
  MIN_INTERVAL_MS,
} from './tracker/announce-types.js';
import { HTTP_ANNOUNCE_TIMEOUT_MS } from './tracker/announcer.js';
import { TRACKER_MAX_REDIRECTS } from './tracker/http-tracker.js';
import { MAX_RESPONSE_ITEMS } from './tracker/http-tracker-response.js';

export interface InputLimit {
  /** The name to grep for: the constant, or the limits object and its field. */
  readonly name: string;
  readonly value: number;
  /** How the value reads: a byte count, a duration, or a plain count. */
  readonly unit: 'bytes' | 'ms' | 'count';
  /** How a caller changes it: the option that overrides it, or `fixed`. */
  readonly change: string;
  /** Why it exists and why this value. */
  readonly why: string;
}

const metainfo = (field: keyof typeof DEFAULT_METAINFO_LIMITS, unit: InputLimit['unit'], why: string) => ({
  name: `DEFAULT_METAINFO_LIMITS.${field}`,
  value: DEFAULT_METAINFO_LIMITS[field],
  unit,
  change: '`parseTorrent` option',
  why,
});

const dht = (field: keyof typeof DEFAULT_DHT_LIMITS, unit: InputLimit['unit'], why: string) => ({
  name: `DEFAULT_DHT_LIMITS.${field}`,
  value: DEFAULT_DHT_LIMITS[field],
  unit,
  change: 'session option `dht.limits`',
  why,
});

export const INPUT_LIMITS: readonly InputLimit[] = [
  // bencode
  {
    name: 'BENCODE_DEFAULT_MAX_DEPTH',
    value: BENCODE_DEFAULT_MAX_DEPTH,
    unit: 'count',
    change: '`decode` option',
    why: 'Nesting of lists and dicts. Decoding is iterative, but no BitTorrent structure nests past a handful of levels.',
  },
  {
    name: 'BENCODE_DEFAULT_MAX_ITEMS',
    value: BENCODE_DEFAULT_MAX_ITEMS,
    unit: 'count',
    change: '`decode` option',
    why: 'Values decoded from one input: each becomes an object, so millions of `0:` would cost gigabytes.',
  },
  {
    name: 'BENCODE_DEFAULT_MAX_LENGTH',
    value: BENCODE_DEFAULT_MAX_LENGTH,
    unit: 'bytes',
    change: '`decode` option',
    why: 'Input size, checked before decoding starts.',
  },
  {
    name: 'MAX_INTEGER_DIGITS',
    value: MAX_INTEGER_DIGITS,
    unit: 'count',
    change: 'fixed',
    why: 'Digits of an integer: more can never fit signed 64 bits, so a longer number is refused without reading it.',
  },
  // .torrent files
  metainfo(
    'maxTorrentBytes',
    'bytes',
    'Size of a .torrent file, checked before decoding (libtorrent: 10 MB).',
  ),
  metainfo('maxInfoBytes', 'bytes', 'A bare info dictionary (BEP 9 metadata); the same as the metadata cap.'),
  metainfo('maxBencodeItems', 'count', "Values in one .torrent (libtorrent's `max_decode_tokens`)."),
  metainfo(
    'maxFiles',
    'count',
    'Files in one torrent: real ones hold tens of thousands; each costs an object, a sanitised path and later a file handle.',
  ),
  metainfo(
    'maxPathDepth',
    'count',
    'Elements in one file path: far beyond real trees, small enough to render.',
  ),
  metainfo(
    'maxPieces',
    'count',
    "Pieces: the bitfield and per-piece state are allocated from this count (libtorrent's `max_pieces` is 2^21).",
  ),
  metainfo(
    'minPieceLength',
    'bytes',
    'BEP 3 allows any positive piece length; the piece count bounds the cost.',
  ),
  metainfo(
    'maxPieceLength',
    'bytes',
    'A piece is held whole in memory while it is verified; no tool makes > 64 MiB.',
  ),
  {
    name: 'MAX_PATH_ELEMENT_BYTES',
    value: MAX_PATH_ELEMENT_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'A file name from a torrent is shortened to what most file systems accept (UTF-8).',
  },
  {
    name: 'MAX_URL_LENGTH',
    value: MAX_URL_LENGTH,
    unit: 'count',
    change: 'fixed',
    why: 'Characters of a tracker or web-seed URL in a torrent; longer ones are dropped (they end up in logs).',
  },
  // magnet links
  {
    name: 'MAX_MAGNET_URI_LENGTH',
    value: MAX_MAGNET_URI_LENGTH,
    unit: 'count',
    change: 'fixed',
    why: 'Characters of a magnet link, checked before parsing.',
  },
  {
    name: 'MAX_MAGNET_TRACKERS',
    value: MAX_MAGNET_TRACKERS,
    unit: 'count',
    change: 'fixed',
    why: '`tr` parameters kept (the rest dropped): each becomes an announce loop.',
  },
  {
    name: 'MAX_MAGNET_PEERS',
    value: MAX_MAGNET_PEERS,
    unit: 'count',
    change: 'fixed',
    why: '`x.pe` peers kept (the rest dropped).',
  },
  {
    name: 'MAX_MAGNET_WEB_SEEDS',
    value: MAX_MAGNET_WEB_SEEDS,
    unit: 'count',
    change: 'fixed',
    why: '`ws` web seeds kept (the rest dropped).',
  },
  {
    name: 'MAX_MAGNET_SELECT_RANGES',
    value: MAX_MAGNET_SELECT_RANGES,
    unit: 'count',
    change: 'fixed',
    why: 'BEP 53 `so` ranges; more is an error (ranges are kept as ranges, never expanded).',
  },
  {
    name: 'MAX_MAGNET_FILE_INDEX',
    value: MAX_MAGNET_FILE_INDEX,
    unit: 'count',
    change: 'fixed',
    why: 'Largest `so` file index: ten times the file limit of a torrent.',
  },
  // peer wire and extensions
  {
    name: 'BLOCK_SIZE',
    value: BLOCK_SIZE,
    unit: 'bytes',
    change: 'fixed',
    why: 'Largest block a peer may request or send; more closes the peer (every client uses 16 KiB blocks).',
  },
  {
    name: 'MAX_EXTENDED_HANDSHAKE_BYTES',
    value: MAX_EXTENDED_HANDSHAKE_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'A BEP 10 handshake over this is ignored before decoding (real ones are a few hundred bytes).',
  },
  {
    name: 'MAX_PEER_REQQ',
    value: MAX_PEER_REQQ,
    unit: 'count',
    change: 'fixed',
    why: "A peer's advertised `reqq` is clamped to this: it sizes how many requests we keep in flight to it.",
  },
  {
    name: 'MAX_METADATA_SIZE',
    value: MAX_METADATA_SIZE,
    unit: 'bytes',
    change: 'fixed',
    why: 'BEP 9 `metadata_size` accepted before anything is allocated for a magnet link (libtorrent: 4 MiB … 16 MiB).',
  },
  {
    name: 'METADATA_REQUEST_TIMEOUT_MS',
    value: METADATA_REQUEST_TIMEOUT_MS,
    unit: 'ms',
    change: 'fixed',
    why: 'A metadata piece not answered by then is asked of another peer.',
  },
  {
    name: 'PEX_MAX_ENTRIES',
    value: PEX_MAX_ENTRIES,
    unit: 'count',
    change: 'fixed',
    why: 'Peers taken from each PEX list (BEP 11 recommends at most 50).',
  },
  {
    name: 'PEX_MAX_MESSAGE_BYTES',
    value: PEX_MAX_MESSAGE_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'A larger PEX message is not decoded.',
  },
  {
    name: 'PEX_MIN_RECEIVE_INTERVAL_MS',
    value: PEX_MIN_RECEIVE_INTERVAL_MS,
    unit: 'ms',
    change: 'fixed',
    why: 'PEX from one peer more often than this is ignored (flood guard; peers send every 60 s).',
  },
  {
    name: 'MSE_MAX_PAD',
    value: MSE_MAX_PAD,
    unit: 'bytes',
    change: 'fixed',
    why: 'MSE/PE padding: the spec maximum; the handshake gives up when no sync is found within it.',
  },
  // trackers
  {
    name: 'MAX_TRACKER_RESPONSE_BYTES',
    value: MAX_TRACKER_RESPONSE_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'HTTP tracker body, also after gzip is undone (gzip bombs).',
  },
  {
    name: 'MAX_PEERS_PER_RESPONSE',
    value: MAX_PEERS_PER_RESPONSE,
    unit: 'count',
    change: 'fixed',
    why: 'Peers read from one announce reply (HTTP or UDP); trackers send 50 to 200.',
  },
  {
    name: 'MAX_RESPONSE_ITEMS',
    value: MAX_RESPONSE_ITEMS,
    unit: 'count',
    change: 'fixed',
    why: 'Bencode values in one HTTP tracker reply: enough for the peer cap in the dictionary model.',
  },
  {
    name: 'MIN_INTERVAL_MS',
    value: MIN_INTERVAL_MS,
    unit: 'ms',
    change: 'fixed',
    why: 'A tracker asking for announces more often (interval 0) is held to this.',
  },
  {
    name: 'MAX_INTERVAL_MS',
    value: MAX_INTERVAL_MS,
    unit: 'ms',
    change: 'fixed',
    why: 'A tracker asking for fewer announces is still asked this often.',
  },
  {
    name: 'TRACKER_MAX_REDIRECTS',
    value: TRACKER_MAX_REDIRECTS,
    unit: 'count',
    change: 'fixed',
    why: 'HTTP redirects followed for an announce (never to another scheme).',
  },
  {
    name: 'HTTP_DEFAULT_MAX_REDIRECTS',
    value: HTTP_DEFAULT_MAX_REDIRECTS,
    unit: 'count',
    change: '`HttpClient.get` option',
    why: 'Redirects any HTTP request follows unless it says otherwise.',
  },
  {
    name: 'HTTP_ANNOUNCE_TIMEOUT_MS',
    value: HTTP_ANNOUNCE_TIMEOUT_MS,
    unit: 'ms',
    change: 'fixed',
    why: 'An HTTP announce (connect, response and body) that takes longer fails and backs off.',
  },
  // DHT
  dht('maxMessageBytes', 'bytes', 'A larger datagram is dropped undecoded.'),
  dht('maxMessageItems', 'count', 'Bencode values in one datagram.'),
  dht('maxNodesPerResponse', 'count', 'Nodes read from one `nodes` field.'),
  dht('maxValuesPerResponse', 'count', 'Peers read from one `values` field.'),
  dht('maxPendingQueries', 'count', 'Queries in flight over the whole DHT.'),
  dht('maxLookupQueries', 'count', 'Queries one lookup may send, whatever nodes keep suggesting.'),
  dht('maxLookupCandidates', 'count', 'Candidate nodes one lookup remembers.'),
  dht('maxPeersPerInfoHash', 'count', 'Announced peers stored for one info-hash.'),
  dht('maxInfoHashes', 'count', 'Info-hashes with stored peers.'),
  dht('queriesPerSecondPerIp', 'count', 'Queries per second answered for one IP address (token bucket).'),
  dht('queryBurstPerIp', 'count', 'Burst of queries allowed from one IP address.'),
  dht('maxTrackedIps', 'count', 'IP addresses the rate limiter remembers.'),
  {
    name: 'MAX_TRANSACTION_ID_BYTES',
    value: MAX_TRANSACTION_ID_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'A KRPC transaction id longer than this makes the message malformed (real ones are 2 to 4 bytes).',
  },
  {
    name: 'MAX_TOKEN_BYTES',
    value: MAX_TOKEN_BYTES,
    unit: 'bytes',
    change: 'fixed',
    why: 'Longest DHT token looked at (in announce_peer queries and get_peers replies); longer ones are refused.',
  },
];
