/**
 * Builds simulated swarms for the engine tests: a torrent over a random payload, seeders whose storage already
 * holds it, leechers, all on one MemoryNetwork and VirtualClock.
 */
import {
  type AddTorrentOptions,
  createTorrent,
  type InfoDictionary,
  parseTorrent,
  Session,
  type Settings,
  type Torrent,
  testingSettings,
} from '@bitloom/engine';
import {
  createTestPlatform,
  MemoryNetwork,
  MemoryStorage,
  SeededRandom,
  type TestPlatform,
  VirtualClock,
} from '@bitloom/testkit';

export interface SwarmFile {
  readonly name: string;
  readonly length: number;
}

export interface SwarmTorrent {
  readonly info: InfoDictionary;
  readonly payload: Uint8Array;
  /** The .torrent file. */
  readonly bytes: Uint8Array;
}

export async function makeSwarmTorrent(
  files: readonly SwarmFile[],
  pieceLength: number,
  seed = 7,
): Promise<SwarmTorrent> {
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const payload = new SeededRandom(seed).bytes(total);
  const platform = createTestPlatform({ seed });
  const offsets: number[] = [];
  let offset = 0;
  for (const f of files) {
    offsets.push(offset);
    offset += f.length;
  }
  const single = files.length === 1;
  const bytes = await createTorrent(
    {
      name: single ? files[0]!.name : 'swarm',
      files: files.map((f) => ({ path: single ? [f.name] : ['swarm', f.name], length: f.length })),
      pieceLength,
    },
    async (fileIndex, position, length) =>
      payload.subarray(offsets[fileIndex]! + position, offsets[fileIndex]! + position + length),
    platform.hasher,
  );
  const info = await parseTorrent(bytes, platform.hasher);
  return { info, payload, bytes };
}

export interface SwarmPeer {
  readonly platform: TestPlatform;
  readonly session: Session;
  readonly torrent: Torrent;
  readonly host: string;
}

export class Swarm {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  readonly peers: SwarmPeer[] = [];
  private nextHost = 1;

  /** Every peer's storage hashes pieces on their way to disk (`writeVerified`, as Node's file storage does). */
  private readonly hashesWrites: boolean;

  constructor(
    readonly torrent: SwarmTorrent,
    options: { bandwidthBytesPerSecond?: number; latencyMs?: number; hashesWrites?: boolean } = {},
  ) {
    this.network = new MemoryNetwork(this.clock, options);
    this.hashesWrites = options.hashesWrites ?? false;
  }

  /** A peer whose storage already holds the whole payload. */
  async addSeeder(settings: Partial<Settings> = {}): Promise<SwarmPeer> {
    return this.addPeer(true, settings);
  }

  async addLeecher(
    settings: Partial<Settings> = {},
    connectTo: readonly SwarmPeer[] = [],
    add: Partial<AddTorrentOptions> = {},
  ): Promise<SwarmPeer> {
    const peer = await this.addPeer(false, settings, add);
    for (const other of connectTo) peer.torrent.addPeer(other.host, other.session.listenPort);
    return peer;
  }

  /** A peer whose storage holds only the pieces `has` picks (the others are zeros, which fail their check). */
  async addPartialSeeder(
    has: (piece: number) => boolean,
    settings: Partial<Settings> = {},
  ): Promise<SwarmPeer> {
    return this.addPeer(has, settings);
  }

  async addPeer(
    withData: boolean | ((piece: number) => boolean),
    settings: Partial<Settings>,
    add: Partial<AddTorrentOptions> = {},
  ): Promise<SwarmPeer> {
    const host = `10.0.0.${this.nextHost++}`;
    const storage = new MemoryStorage({ hashesWrites: this.hashesWrites });
    const platform = createTestPlatform({ seed: this.nextHost * 101, host, network: this.network, storage });
    if (withData === true) await this.fill(platform, this.torrent.payload);
    else if (withData) await this.fill(platform, this.piecesOnly(withData));
    const session = await Session.create({
      platform,
      listen: { host, port: 6881 },
      settings: { ...testingSettings(), ...settings },
    });
    const torrent = session.addTorrent(this.torrent.info, { savePath: '/data', ...add });
    const peer = { platform, session, torrent, host };
    this.peers.push(peer);
    return peer;
  }

  /** The bytes a peer's storage holds for the torrent, concatenated in file order. */
  contents(peer: SwarmPeer): Uint8Array {
    const stored = peer.platform.storage.files();
    const out = new Uint8Array(this.torrent.info.totalLength);
    for (const file of this.torrent.info.files) {
      const bytes = stored.get(['/data', ...file.path].join('/'));
      if (bytes) out.set(bytes.subarray(0, file.length), file.offset);
    }
    return out;
  }

  async closeAll(): Promise<void> {
    for (const peer of this.peers) await peer.session.close();
  }

  private piecesOnly(has: (piece: number) => boolean): Uint8Array {
    const { info, payload } = this.torrent;
    const data = new Uint8Array(payload.length);
    for (let piece = 0; piece < info.pieceCount; piece++) {
      if (!has(piece)) continue;
      const start = piece * info.pieceLength;
      data.set(payload.subarray(start, Math.min(payload.length, start + info.pieceLength)), start);
    }
    return data;
  }

  private async fill(platform: TestPlatform, payload: Uint8Array): Promise<void> {
    const { info } = this.torrent;
    const files = await platform.storage.open(
      '/data',
      info.files.map((f) => ({ path: f.path, length: f.length, padding: f.padding })),
    );
    for (const [index, file] of info.files.entries()) {
      await files.write(index, 0, payload.subarray(file.offset, file.offset + file.length));
    }
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Makes `peer` a liar: every block it uploads (of `pieces`, or of every piece) has one byte flipped on its way out.
 * (Corrupting its storage no longer does: a bitloom seeder checks each piece it reads back against its hash before
 * uploading any of it.)
 */
export function lieOnUpload(peer: SwarmPeer, pieces?: Iterable<number>): void {
  const torrent = peer.torrent;
  const lies = pieces === undefined ? undefined : new Set(pieces);
  const readBlock = torrent.readBlock.bind(torrent);
  torrent.readBlock = async (range) => {
    const block = await readBlock(range);
    if (lies !== undefined && !lies.has(range.piece)) return block;
    const altered = block.slice();
    if (altered.length > 0) altered[17 % altered.length]! ^= 0xff;
    return altered;
  };
}
