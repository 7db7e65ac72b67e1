/**
 * What a magnet link says (BEP 9, BEP 53): the info-hash(es) that name a torrent, plus hints for finding it
 * (trackers, peers, web seeds) and which files to fetch. Everything in it came from an untrusted string, so
 * every list is capped by the constants here.
 */

/** Longest magnet URI accepted, in chars. */
export const MAX_MAGNET_URI_LENGTH = 64 * 1024;
/** Trackers kept from one link; further `tr` parameters are dropped. */
export const MAX_MAGNET_TRACKERS = 100;
/** Peers kept from one link; further `x.pe` parameters are dropped. */
export const MAX_MAGNET_PEERS = 100;
/** Web seeds kept from one link; further `ws` parameters are dropped. */
export const MAX_MAGNET_WEB_SEEDS = 100;
/** `so` ranges accepted; more is an error, since dropping some would change which files are fetched. */
export const MAX_MAGNET_SELECT_RANGES = 1000;
/** Largest file index a `so` range may name. */
export const MAX_MAGNET_FILE_INDEX = 1_000_000;

/** A peer address from `x.pe`; IPv6 hosts are given without brackets. */
export interface MagnetPeer {
  host: string;
  port: number;
}

/** An inclusive range of file indices from `so` (BEP 53), kept as a range, never expanded. */
export interface FileIndexRange {
  start: number;
  end: number;
}

/** A parsed magnet link. At least one of `infoHash` / `infoHashV2` is present. */
export interface MagnetLink {
  /** 20-byte SHA-1 info-hash, from `xt=urn:btih:` (40 hex or 32 base32 chars). */
  infoHash?: Uint8Array;
  /** 32-byte SHA-256 v2 info-hash, from `xt=urn:btmh:` (multihash `1220` + 64 hex chars); parsed and kept. */
  infoHashV2?: Uint8Array;
  /** `dn`: the suggested display name. */
  displayName?: string;
  /** `tr` (repeatable): de-duplicated; only http, https, udp, ws and wss trackers are kept. */
  trackers: string[];
  /** `x.pe`: peer addresses `host:port` or `[v6]:port`; malformed ones are dropped. */
  peers: MagnetPeer[];
  /** `ws`: http(s) web seed URLs (BEP 19), de-duplicated. */
  webSeeds: string[];
  /** `so=0,2,4-6` (BEP 53): the files to fetch, as inclusive ranges in the order given. */
  selectOnly?: FileIndexRange[];
}
