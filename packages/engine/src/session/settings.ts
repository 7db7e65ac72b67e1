/**
 * One table of every tunable limit and interval, with its default, bounds and reason. The typed `Settings`,
 * the README's limits table and `testingSettings()` all come from here (libtorrent's settings_pack).
 */

interface SettingSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

const spec = <T extends Record<string, SettingSpec>>(table: T): T => table;

export const SETTINGS_TABLE = spec({
  maxMessageLength: {
    default: 1024 * 1024,
    min: 256 * 1024,
    max: 64 * 1024 * 1024,
    doc: 'Largest peer message accepted, checked on the 4-byte prefix. Bitfields always fit: torrents are capped at 2,000,000 pieces (250 KB).',
  },
  maxIncomingRequestsPerPeer: {
    default: 500,
    min: 1,
    max: 10_000,
    doc: 'Requests a peer may have queued with us; more are dropped (or rejected with Fast). Advertised as reqq.',
  },
  keepAliveIntervalMs: {
    default: 60_000,
    min: 1000,
    max: 600_000,
    doc: 'Send a keep-alive after this long without sending anything.',
  },
  peerInactivityTimeoutMs: {
    default: 120_000,
    min: 5000,
    max: 3_600_000,
    doc: 'Close a peer that sent nothing for this long.',
  },
  handshakeTimeoutMs: {
    default: 10_000,
    min: 500,
    max: 120_000,
    doc: 'Close a connection whose handshake (encryption included) is not complete this long after it opened (slowloris).',
  },
  connectTimeoutMs: {
    default: 10_000,
    min: 500,
    max: 120_000,
    doc: 'Give up on an outgoing TCP connect after this.',
  },
  requestTimeoutMs: {
    default: 20_000,
    min: 1000,
    max: 600_000,
    doc: 'A peer that delivers no block for this long while we wait on it is snubbed and its requests go elsewhere.',
  },
  requestQueueTimeSeconds: {
    default: 3,
    min: 1,
    max: 60,
    doc: "Per-peer pipeline depth covers this many seconds of the peer's measured rate (libtorrent's request queue time).",
  },
  minRequestQueue: { default: 2, min: 1, max: 500, doc: 'Smallest per-peer pipeline depth (blocks).' },
  maxRequestQueue: {
    default: 500,
    min: 1,
    max: 2000,
    doc: "Largest per-peer pipeline depth (blocks); never above the peer's reqq.",
  },
  maxConnectionsPerTorrent: { default: 50, min: 1, max: 2000, doc: 'Connected peers per torrent.' },
  maxConnectionsPerSession: {
    default: 200,
    min: 1,
    max: 10_000,
    doc: 'Open peer connections over all torrents, handshakes included. When full, the incoming connection longest in its handshake makes room for a new one (slowloris).',
  },
  maxHalfOpenConnections: {
    default: 20,
    min: 1,
    max: 1000,
    doc: 'Outgoing connections still connecting or handshaking at once.',
  },
  maxKnownPeersPerTorrent: {
    default: 2000,
    min: 10,
    max: 100_000,
    doc: 'Peer addresses remembered per torrent (from trackers, PEX, the CLI); bounds memory under peer floods.',
  },
  regularUnchokeSlots: {
    default: 4,
    min: 0,
    max: 100,
    doc: 'Peers unchoked by tit-for-tat each choking round.',
  },
  chokeIntervalMs: { default: 10_000, min: 1000, max: 120_000, doc: 'How often the choker re-ranks peers.' },
  optimisticUnchokeIntervalMs: {
    default: 30_000,
    min: 1000,
    max: 600_000,
    doc: 'How long the optimistic unchoke slot stays with one peer.',
  },
  tickIntervalMs: {
    default: 500,
    min: 10,
    max: 10_000,
    doc: 'Period of the session tick that drives every periodic task.',
  },
  maxPieceBufferBytes: {
    // 32 MiB for one peer sending: with hashing no longer waiting on the main thread one peer rarely fills it, and
    // 64 MiB gave the same rates (bench scenario 1) with 20-30 MiB more peak memory. More senders grow it.
    default: 32 * 1024 * 1024,
    min: 16 * 1024 * 1024,
    max: 8 * 1024 * 1024 * 1024,
    doc: 'Memory for pieces being assembled and hashed while one peer sends; each further peer sending adds half of it, up to 4x. No new piece starts beyond it.',
  },
  readCacheBytes: {
    default: 16 * 1024 * 1024,
    min: 1024 * 1024,
    max: 1024 * 1024 * 1024,
    doc: 'Memory for whole pieces read for upload; each is checked against its hash before its first block goes out (at least one piece is kept).',
  },
  readTrustMs: {
    default: 60_000,
    min: 0,
    max: 24 * 60 * 60 * 1000,
    doc: 'A piece read back for upload is hashed again only if its last check is older than this (0: on every read from disk).',
  },
  resumeSaveIntervalMs: {
    default: 30_000,
    min: 1000,
    max: 3_600_000,
    doc: 'How often resume data is saved while pieces arrive (also on stop and on completion); data is flushed first.',
  },
  maxUploadQueueBytesPerPeer: {
    default: 4 * 1024 * 1024,
    min: 64 * 1024,
    max: 256 * 1024 * 1024,
    doc: 'Bytes written to a peer socket but not yet sent, before serving more of its requests (back-pressure).',
  },
  streamReadAheadBytes: {
    default: 8 * 1024 * 1024,
    min: 16 * 1024,
    max: 256 * 1024 * 1024,
    doc: 'A file read stream makes this many bytes ahead of its position time-critical (at least one piece), requested before anything else.',
  },
  streamStallMs: {
    default: 2000,
    min: 100,
    max: 60_000,
    doc: 'A stream that has waited this long for its next piece asks a second peer for that piece’s blocks in flight.',
  },
});

export type SettingName = keyof typeof SETTINGS_TABLE;
export type Settings = { readonly [K in SettingName]: number };

export function defaultSettings(): Settings {
  const out: Record<string, number> = {};
  for (const [name, setting] of Object.entries(SETTINGS_TABLE)) out[name] = setting.default;
  return out as Settings;
}

/** Merges overrides into the defaults, clamping each to its bounds (a setting out of bounds is a caller bug). */
export function resolveSettings(overrides: Partial<Settings> = {}): Settings {
  const out: Record<string, number> = { ...defaultSettings() };
  for (const [name, value] of Object.entries(overrides)) {
    const setting = SETTINGS_TABLE[name as SettingName];
    if (!setting || value === undefined) continue;
    if (!Number.isFinite(value) || value < setting.min || value > setting.max) {
      throw new RangeError(`setting ${name}=${value} is outside ${setting.min}..${setting.max}`);
    }
    out[name] = value;
  }
  return out as Settings;
}

/** Short intervals for tests on the virtual clock; limits stay as in production. */
export function testingSettings(overrides: Partial<Settings> = {}): Settings {
  return resolveSettings({ tickIntervalMs: 100, ...overrides });
}
