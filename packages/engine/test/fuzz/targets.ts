/**
 * Fuzz targets: every parser of untrusted bytes, each with inputs that mix random bytes with mutations of valid
 * samples (so the fuzzer gets past the first byte), and a check that throws when the parser misbehaves: an error
 * that is not a BitloomError, an exception out of a parser that must never throw, or a broken invariant (a bound
 * exceeded, a canonical round trip not holding, an unsafe path). Shared by the CI test (short budget), the corpus
 * of kept failing inputs, and `npm run fuzz` (long runs).
 */
import {
  BitloomError,
  bdict,
  createTorrent,
  DEFAULT_DHT_LIMITS,
  decode,
  decodeCompactNodes,
  decodeKrpc,
  decodeMetadataMessage,
  decodePex,
  decodePrefix,
  encode,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePex,
  encodeQuery,
  formatMagnet,
  MAX_PEERS_PER_RESPONSE,
  MessageFramer,
  PEX_MAX_ENTRIES,
  parseAnnounceResponse,
  parseCompactPeers,
  parseExtendedHandshake,
  parseInfoDictionary,
  parseMagnet,
  parseScrapeResponse,
  parseTorrent,
  reservedBits,
} from '@bitloom/engine';
import { testHasher } from '@bitloom/testkit';
import {
  decodeAnnounceReply,
  decodeConnectReply,
  decodeErrorReply,
  decodeReplyHeader,
  decodeScrapeReply,
} from '../../src/tracker/udp-tracker-codec.js';

export interface FuzzTarget {
  readonly name: string;
  /** Valid samples the mutations start from. */
  readonly samples: () => Promise<Uint8Array[]>;
  /** Throws (anything but a returned promise that resolves) when the parser misbehaved on `input`. */
  readonly check: (input: Uint8Array) => void | Promise<void>;
}

/** A parser that may only throw BitloomErrors: anything else is rethrown as a finding. */
function onlyBitloomErrors(what: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof BitloomError)) throw findings(what, error);
  }
}

async function onlyBitloomErrorsAsync(what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof BitloomError)) throw findings(what, error);
  }
}

/** A parser that must never throw. */
function neverThrows(what: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    throw findings(what, error);
  }
}

function findings(what: string, error: unknown): Error {
  return new Error(
    `${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    {
      cause: error,
    },
  );
}

function ensure(condition: boolean, what: string): void {
  if (!condition) throw new Error(`invariant broken: ${what}`);
}

const text = (s: string) => new TextEncoder().encode(s);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const payload = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);

async function sampleTorrents(): Promise<Uint8Array[]> {
  const data = payload(100_000);
  const read = async (_file: number, position: number, length: number) =>
    data.subarray(position, position + length);
  const single = await createTorrent(
    { name: 'a.bin', files: [{ path: ['a.bin'], length: data.length }], pieceLength: 32_768 },
    read,
    testHasher,
  );
  const multi = await createTorrent(
    {
      name: 'dir',
      files: [
        { path: ['dir', 'x', 'one.txt'], length: 40_000 },
        { path: ['dir', 'two'], length: 0 },
        { path: ['dir', 'three'], length: 60_000 },
      ],
      pieceLength: 16_384,
      trackers: ['http://t.example/announce', 'udp://u.example:80'],
      webSeeds: ['https://w.example/'],
      comment: 'fuzz',
    },
    read,
    testHasher,
  );
  return [single, multi];
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'bencode',
    samples: async () => [
      encode(bdict({ a: 1, list: [1, -2, text('x')], nested: bdict({ k: text('v'), n: 0 }) })),
      encode([[[text('deep')]], 12_345_678_901, bdict({})]),
    ],
    check: (input) => {
      for (const strict of [false, true]) {
        let value: ReturnType<typeof decode> | undefined;
        onlyBitloomErrors('decode', () => {
          value = decode(input, { strict });
        });
        // Strict bencode is canonical: whatever decodes strictly re-encodes to the very same bytes.
        if (strict && value !== undefined)
          ensure(sameBytes(encode(value), input), 'strict decode → encode identity');
      }
      onlyBitloomErrors('decodePrefix', () => {
        const { end } = decodePrefix(input);
        ensure(end > 0 && end <= input.length, 'decodePrefix end within the input');
      });
    },
  },
  {
    name: 'metainfo',
    samples: sampleTorrents,
    check: async (input) => {
      await onlyBitloomErrorsAsync('parseTorrent', async () => {
        const info = await parseTorrent(input, testHasher);
        const total = info.files.reduce((sum, f) => sum + f.length, 0);
        ensure(total === info.totalLength, 'file lengths add up to the total');
        ensure(
          info.pieceCount === Math.ceil(info.totalLength / info.pieceLength),
          'piece count matches length',
        );
        for (const file of info.files) {
          for (const element of file.path) {
            ensure(element !== '' && element !== '.' && element !== '..', `safe path element ${element}`);
            ensure(!/[/\\\0]/.test(element), `no separator in ${JSON.stringify(element)}`);
          }
        }
      });
      await onlyBitloomErrorsAsync('parseInfoDictionary', async () => {
        await parseInfoDictionary(input, testHasher);
      });
    },
  },
  {
    name: 'magnet',
    samples: async () => [
      text(
        formatMagnet({
          infoHash: payload(20),
          displayName: 'fuzz me',
          trackers: ['udp://t.example:80/announce'],
          webSeeds: ['https://w.example/f'],
          peers: [{ host: '10.0.0.1', port: 6881 }],
          selectOnly: [
            { start: 0, end: 0 },
            { start: 4, end: 6 },
          ],
        }),
      ),
      text('magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=x&tr=http%3A%2F%2Ft.example%2Fa'),
    ],
    check: (input) => {
      onlyBitloomErrors('parseMagnet', () => {
        const link = parseMagnet(new TextDecoder().decode(input));
        ensure(link.trackers.length <= 100 && link.peers.length <= 100, 'tracker and peer caps');
      });
    },
  },
  {
    name: 'wire',
    samples: async () => {
      const handshake = encodeHandshake({
        reserved: reservedBits({ fast: true, extended: true }),
        infoHash: payload(20),
        peerId: payload(20),
      });
      const messages = [
        encodeMessage({ type: 'bitfield', bytes: Uint8Array.of(0xff, 0x80) }),
        encodeMessage({ type: 'request', piece: 1, begin: 16_384, length: 16_384 }),
        encodeMessage({ type: 'have', piece: 3 }),
        encodeMessage({
          type: 'extended',
          extendedId: 0,
          payload: encode(bdict({ m: bdict({ ut_pex: 1 }) })),
        }),
        Uint8Array.of(0, 0, 0, 13, 7, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4),
      ];
      const stream = new Uint8Array(handshake.length + messages.reduce((n, m) => n + m.length, 0));
      stream.set(handshake);
      let at = handshake.length;
      for (const m of messages) {
        stream.set(m, at);
        at += m.length;
      }
      return [stream];
    },
    check: (input) => {
      // The first byte picks the chunk size, so the same input also tests the framer's reassembly.
      const chunkSize = 1 + ((input[0] ?? 0) % 97);
      const maxMessageLength = 1 << 16;
      const calls: string[] = [];
      const framer = new MessageFramer({
        maxMessageLength,
        expectHandshake: true,
        onHandshake: () => calls.push('handshake'),
        onMessage: (m) => {
          if (m.type === 'piece') m.block.copyTo(new Uint8Array(m.block.length), 0);
          calls.push(m.type);
        },
        onError: (e) => calls.push(`error:${e.code}`),
      });
      neverThrows('MessageFramer.push', () => {
        for (let at = 0; at < input.length; at += chunkSize) framer.push(input.subarray(at, at + chunkSize));
      });
      const errorAt = calls.findIndex((c) => c.startsWith('error:'));
      ensure(errorAt === -1 || errorAt === calls.length - 1, 'nothing reported after an error');
      ensure(framer.bufferedBytes <= maxMessageLength + 68, 'buffered bytes bounded by the message limit');
    },
  },
  {
    name: 'extensions',
    samples: async () => [
      encodeExtendedHandshake({
        extensions: { ut_metadata: 3, ut_pex: 1 },
        client: 'fuzz',
        reqq: 250,
        listenPort: 6881,
        extra: { metadata_size: 31_235 },
      }),
      encodeMetadataMessage({ type: 'data', piece: 0, totalSize: 31_235, data: payload(100) }),
      encodeMetadataMessage({ type: 'request', piece: 1 }),
      encodePex(
        [
          { host: '10.0.0.1', port: 6881, seed: true, reachable: true },
          { host: '2001:db8::1', port: 51_413, seed: false, reachable: true },
        ],
        [{ host: '10.0.0.2', port: 1, seed: false, reachable: false }],
      ),
    ],
    check: (input) => {
      neverThrows('parseExtendedHandshake', () => {
        const parsed = parseExtendedHandshake(input);
        if (parsed?.reqq !== undefined) ensure(parsed.reqq >= 1 && parsed.reqq <= 2000, 'reqq clamped');
      });
      neverThrows('decodeMetadataMessage', () => {
        decodeMetadataMessage(input);
      });
      neverThrows('decodePex', () => {
        const peers = decodePex(input);
        ensure(peers.length <= 2 * PEX_MAX_ENTRIES, 'PEX entries capped');
        ensure(
          peers.every((p) => p.port > 0),
          'no port 0',
        );
      });
    },
  },
  {
    name: 'tracker-http',
    samples: async () => [
      encode(
        bdict({
          interval: 1800,
          'min interval': 60,
          complete: 5,
          incomplete: 2,
          peers: Uint8Array.of(10, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0x1a, 0xe2),
          peers6: new Uint8Array(18).fill(1),
        }),
      ),
      encode(bdict({ interval: 60, peers: [bdict({ ip: text('10.0.0.3'), port: 6881 })] })),
      encode(bdict({ files: new Map([[String.fromCharCode(...payload(20)), bdict({ complete: 1 })]]) })),
    ],
    check: (input) => {
      onlyBitloomErrors('parseAnnounceResponse', () => {
        const response = parseAnnounceResponse(input);
        ensure(response.peers.length <= 2 * MAX_PEERS_PER_RESPONSE, 'peers capped');
        ensure(response.intervalMs >= 60_000 && response.intervalMs <= 7_200_000, 'interval clamped');
      });
      onlyBitloomErrors('parseScrapeResponse', () => {
        parseScrapeResponse(input, [payload(20)]);
      });
    },
  },
  {
    name: 'tracker-udp',
    samples: async () => {
      const announce = new Uint8Array(20 + 12);
      const view = new DataView(announce.buffer);
      view.setUint32(0, 1);
      view.setUint32(4, 0xdeadbeef);
      view.setUint32(8, 1800);
      announce.set([10, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0x1a, 0xe2], 20);
      const connect = new Uint8Array(16);
      connect.set(payload(8), 8);
      return [announce, connect];
    },
    check: (input) => {
      neverThrows('decodeReplyHeader/decodeConnectReply/decodeScrapeReply/decodeErrorReply', () => {
        decodeReplyHeader(input);
        decodeConnectReply(input);
        decodeScrapeReply(input, [payload(20), payload(20)]);
        decodeErrorReply(input);
      });
      onlyBitloomErrors('decodeAnnounceReply + parseCompactPeers', () => {
        const reply = decodeAnnounceReply(input);
        if (reply) ensure(parseCompactPeers(reply.peerBytes, 4, 200).length <= 200, 'peers capped');
      });
    },
  },
  {
    name: 'krpc',
    samples: async () => [
      encodeQuery(text('aa'), 'get_peers', bdict({ id: payload(20), info_hash: payload(20) })),
      encode(
        bdict({
          t: text('aa'),
          y: text('r'),
          r: bdict({ id: payload(20), nodes: payload(26 * 3), values: [payload(6)], token: text('tok') }),
        }),
      ),
      encode(bdict({ t: text('bb'), y: text('e'), e: [201, text('A Generic Error Ocurred')] })),
    ],
    check: (input) => {
      neverThrows('decodeKrpc', () => {
        const { maxMessageBytes, maxMessageItems: maxItems } = DEFAULT_DHT_LIMITS;
        const message = decodeKrpc(input, { maxMessageBytes, maxItems });
        if (message.kind === 'response') {
          const nodes = message.values.get('nodes');
          if (nodes instanceof Uint8Array) ensure(decodeCompactNodes(nodes, 8).length <= 8, 'nodes capped');
        }
      });
    },
  },
];
