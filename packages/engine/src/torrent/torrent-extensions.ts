/**
 * The BEP 10 extensions a torrent runs: ut_metadata (BEP 9) always, so peers that came from a magnet link can
 * fetch the info dictionary, and ut_pex (BEP 11) unless the torrent is private (BEP 27: peers only from the
 * tracker).
 */
import type { ExtensionRegistry } from '../extensions/extension-registry.js';
import { UtMetadata } from '../extensions/ut-metadata.js';
import { type PexPeer, UtPex } from '../extensions/ut-pex.js';
import type { InfoDictionary } from '../metainfo/index.js';
import type { Hasher } from '../platform/hasher.js';

export interface TorrentExtensionsOptions {
  readonly registry: ExtensionRegistry;
  readonly info: InfoDictionary;
  readonly hasher: Hasher;
  readonly now: () => number;
  /** Our connected peers, by their listen addresses (what PEX tells others). */
  readonly connectedPeers: () => Iterable<PexPeer>;
  /** Peers PEX learned of. */
  readonly onPexPeers: (peers: { host: string; port: number }[]) => void;
}

/** Registers the torrent's extensions; returns PEX (its tick sends the periodic messages), if it runs. */
export function registerTorrentExtensions(options: TorrentExtensionsOptions): UtPex | undefined {
  const { registry, info, now } = options;
  const pex = info.private
    ? undefined
    : new UtPex({ registry, now, connectedPeers: options.connectedPeers, onPeers: options.onPexPeers });
  if (pex) registry.register(pex);
  registry.register(
    new UtMetadata({
      infoHash: info.infoHash,
      hasher: options.hasher,
      registry,
      now,
      infoBytes: () => info.infoBytes,
    }),
  );
  return pex;
}
