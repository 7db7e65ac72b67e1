/**
 * A chaos peer: from a seed, it dials a bitloom session on a MemoryNetwork and, at random times on the virtual
 * clock, sends a random mix of valid, invalid, partial and oversized peer-wire messages (BEP 3, BEP 6 Fast,
 * BEP 10 extended with ut_metadata and ut_pex payloads), trickles some byte by byte, stops reading, and finally
 * hangs up or falls silent. The same seed always sends the same bytes at the same virtual times, so a session that
 * breaks something can be replayed. It never reads what it is sent beyond counting it.
 */
import {
  type BencodeValue,
  type CancelTimer,
  type Clock,
  type Connection,
  type EncodableMessage,
  encode,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  reservedBits,
} from '@bitloom/engine';
import type { MemoryHost } from './memory-network.js';
import { SeededRandom } from './seeded-random.js';

/** What a chaos peer knows of the torrent it attacks (enough to make most of its messages look plausible). */
export interface ChaosTarget {
  readonly infoHash: Uint8Array;
  readonly pieceCount: number;
  readonly pieceLength: number;
}

export interface ChaosPeerOptions extends ChaosTarget {
  readonly seed: number;
  readonly clock: Clock;
  /** How many actions after the handshake (default: 10 to 60, from the seed). */
  readonly actions?: number;
  /** Longest pause between two actions, in virtual ms (default 2000). */
  readonly maxPauseMs?: number;
}

/** The kinds of action, counted per session so a test can show it exercised them all. */
export type ChaosAction =
  | 'valid'
  | 'invalid'
  | 'partial'
  | 'oversized'
  | 'garbage'
  | 'trickle'
  | 'extended'
  | 'piece'
  | 'pause-reading'
  | 'hang-up';

const BLOCK = 16 * 1024;

export class ChaosPeer {
  /** Connection closed (by either side) or never opened. */
  closed = false;
  /** Every action has run: the peer hung up or fell silent. */
  finished = false;
  readonly actions = new Map<ChaosAction, number>();
  bytesSent = 0;
  bytesReceived = 0;
  private connection: Connection | undefined;
  private timer: CancelTimer | undefined;
  private readonly random: SeededRandom;
  private remaining: number;
  /** Half the sessions: mostly valid traffic with the odd attack. */
  private readonly calm: boolean;

  private constructor(private readonly options: ChaosPeerOptions) {
    this.random = new SeededRandom(options.seed);
    this.remaining = options.actions ?? 10 + this.int(51);
    this.calm = this.random.float() < 0.5;
  }

  /** Dials `address:port`; everything else happens as the clock moves. */
  static dial(host: MemoryHost, address: string, port: number, options: ChaosPeerOptions): ChaosPeer {
    const peer = new ChaosPeer(options);
    host.tcp.connect(address, port, new AbortController().signal).then(
      (connection) => peer.start(connection),
      () => {
        peer.closed = true;
        peer.finished = true;
      },
    );
    return peer;
  }

  /** Ends the session now (cancels pending actions, destroys the connection). */
  stop(): void {
    this.timer?.();
    this.finished = true;
    this.connection?.destroy();
  }

  private start(connection: Connection): void {
    this.connection = connection;
    connection.setHandlers({
      data: (chunk) => {
        this.bytesReceived += chunk.length;
      },
      drain: () => {},
      close: () => {
        this.closed = true;
        this.finished = true;
        this.timer?.();
      },
    });
    this.handshake();
    this.schedule();
  }

  private handshake(): void {
    const roll = this.random.float();
    const reserved = reservedBits({ fast: this.random.float() < 0.5, extended: this.random.float() < 0.7 });
    const peerId = this.random.bytes(20);
    const infoHash = roll < 0.08 ? this.random.bytes(20) : this.options.infoHash;
    const bytes = encodeHandshake({ reserved, infoHash, peerId });
    if (roll < 0.04)
      this.write(this.random.bytes(1 + this.int(80))); // not a handshake at all
    else if (roll < 0.12)
      this.write(bytes.subarray(0, this.int(bytes.length))); // cut short
    else if (roll < 0.15) this.trickle(bytes);
    else this.write(bytes);
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.remaining-- <= 0) {
      // The end: hang up, or fall silent and leave it to bitloom's timeouts.
      this.finished = true;
      if (this.random.float() < 0.5) this.connection?.destroy();
      return;
    }
    this.timer = this.options.clock.setTimer(this.int((this.options.maxPauseMs ?? 2000) + 1), () => {
      this.timer = undefined;
      if (this.closed) return;
      this.act();
      this.schedule();
    });
  }

  private act(): void {
    // A calm peer mostly sends valid messages, so sessions also run long enough to reach deeper states.
    const roll = this.calm && this.random.float() < 0.85 ? this.random.float() * 0.3 : this.random.float();
    if (roll < 0.3) this.count('valid').write(encodeMessage(this.validMessage()));
    else if (roll < 0.42) this.count('invalid').write(this.invalidMessage());
    else if (roll < 0.5) this.count('piece').write(this.pieceMessage());
    else if (roll < 0.6) this.count('extended').write(this.extendedMessage());
    else if (roll < 0.68) {
      const message = encodeMessage(this.validMessage());
      this.count('partial').write(message.subarray(0, 1 + this.int(message.length - 1)));
    } else if (roll < 0.74) this.count('oversized').write(this.oversizedMessage());
    else if (roll < 0.82) this.count('garbage').write(this.random.bytes(1 + this.int(200)));
    else if (roll < 0.9) this.count('trickle').trickle(encodeMessage(this.validMessage()));
    else if (roll < 0.97) {
      this.count('pause-reading');
      this.connection?.pause();
      this.options.clock.setTimer(this.int(5000), () => this.connection?.resume());
    } else {
      this.count('hang-up');
      this.remaining = 0;
      this.connection?.destroy();
    }
  }

  /** A well-formed message, mostly about pieces that exist. */
  private validMessage(): EncodableMessage {
    const piece = this.piece();
    const begin = this.int(Math.max(1, this.options.pieceLength / BLOCK)) * BLOCK;
    const range = { piece, begin, length: BLOCK };
    const bitfield = new Uint8Array(Math.ceil(this.options.pieceCount / 8));
    for (let i = 0; i < this.options.pieceCount; i++) {
      if (this.random.float() < 0.5) bitfield[i >> 3]! |= 0x80 >> (i & 7);
    }
    const messages: EncodableMessage[] = [
      { type: 'keep-alive' },
      { type: 'choke' },
      { type: 'unchoke' },
      { type: 'interested' },
      { type: 'not-interested' },
      { type: 'have', piece },
      { type: 'bitfield', bytes: bitfield },
      { type: 'request', ...range },
      { type: 'cancel', ...range },
      { type: 'port', port: this.int(65536) },
      { type: 'suggest-piece', piece },
      { type: 'have-all' },
      { type: 'have-none' },
      { type: 'reject-request', ...range },
      { type: 'allowed-fast', piece },
    ];
    return messages[this.int(messages.length)]!;
  }

  /** Framed right, wrong inside: bad sizes, out-of-range indices, unknown ids, absurd requests. */
  private invalidMessage(): Uint8Array {
    const huge = 0xffffffff - this.int(1000);
    const choices = [
      () => frame(this.int(22), this.random.bytes(this.int(40))), // any id, any payload
      () => frame(4, u32(this.options.pieceCount + this.int(1000))), // HAVE past the end
      () => frame(4, u32(huge)),
      () => frame(5, this.random.bytes(1 + this.int(64))), // bitfield of any length
      () =>
        frame(6, [
          ...u32(this.piece()),
          ...u32(this.int(2 * this.options.pieceLength)),
          ...u32(this.int(1 << 20)),
        ]),
      () => frame(6, [...u32(huge), ...u32(0), ...u32(BLOCK)]),
      () => frame(6, [...u32(0), ...u32(0), ...u32(0)]), // zero-length request
      () => frame(this.int(10), this.random.bytes(this.int(20))), // fixed-size message, size at random
      () => frame(0x11, u32(huge)),
      () => frame(20, []), // extended without its id byte
      () => frame(100 + this.int(150), this.random.bytes(this.int(3000))), // unknown id with a payload
    ];
    return choices[this.int(choices.length)]!();
  }

  /** A PIECE: requested or not, right offset or not, right size or not, its bytes random. */
  private pieceMessage(): Uint8Array {
    const length = [BLOCK, BLOCK, 1 + this.int(BLOCK), BLOCK + 1 + this.int(BLOCK), 0][this.int(5)]!;
    const begin =
      this.random.float() < 0.7 ? this.int(this.options.pieceLength / BLOCK) * BLOCK : this.int(1 << 20);
    const header = encodePieceHeader(
      this.random.float() < 0.9 ? this.piece() : this.int(1 << 30),
      begin,
      length,
    );
    const out = new Uint8Array(header.length + length);
    out.set(header);
    out.set(this.random.bytes(length), header.length);
    return out;
  }

  /** BEP 10: an extended handshake (sane or absurd), ut_metadata and ut_pex payloads, or bytes. */
  private extendedMessage(): Uint8Array {
    const id = this.int(4);
    const absurd = this.random.float() < 0.3;
    const payloads = [
      () =>
        encode(
          new Map<string, BencodeValue>([
            [
              'm',
              new Map([
                ['ut_metadata', absurd ? -5 : 1 + this.int(3)],
                ['ut_pex', 1 + this.int(3)],
              ]),
            ],
            ['reqq', absurd ? 2 ** 40 : 1 + this.int(1000)],
            ['metadata_size', absurd ? 2 ** 50 : this.int(1 << 20)],
            ['p', this.int(70000)],
          ]),
        ),
      () =>
        encode(
          new Map<string, BencodeValue>([
            ['msg_type', this.int(4)],
            ['piece', absurd ? 2 ** 31 : this.int(4)],
            ['total_size', this.int(1 << 24)],
          ]),
        ),
      () => encode(new Map([['added', this.random.bytes(6 * this.int(60) + this.int(6))]])),
      () => this.random.bytes(this.int(300)),
    ];
    const payload = payloads[this.int(payloads.length)]!();
    return frame(20, [id === 0 ? 0 : this.int(256), ...payload]);
  }

  /** A length prefix past any limit, sometimes followed by a little of the body it promises. */
  private oversizedMessage(): Uint8Array {
    const length = [0xffffffff, 0x7fffffff, (1 << 20) + 1 + this.int(1 << 24), 64 * 1024 * 1024 + 1][
      this.int(4)
    ]!;
    return Uint8Array.of(...u32(length), 7, ...this.random.bytes(this.int(64)));
  }

  /** Sends `bytes` one at a time, a random pause apart (slowloris). */
  private trickle(bytes: Uint8Array): void {
    let at = 0;
    const next = () => {
      if (this.closed || at >= bytes.length) return;
      this.write(bytes.subarray(at, at + 1));
      at++;
      this.options.clock.setTimer(1 + this.int(700), next);
    };
    next();
  }

  private write(bytes: Uint8Array): void {
    if (this.closed || this.connection === undefined) return;
    this.bytesSent += bytes.length;
    this.connection.write(bytes);
  }

  private count(action: ChaosAction): this {
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    return this;
  }

  /** Mostly a real piece index; now and then one just past the end. */
  private piece(): number {
    return this.random.float() < 0.95
      ? this.int(this.options.pieceCount)
      : this.options.pieceCount + this.int(3);
  }

  private int(maxExclusive: number): number {
    return Math.floor(this.random.float() * maxExclusive);
  }
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** A length-prefixed message: id, then payload. */
function frame(id: number, payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  new DataView(out.buffer).setUint32(0, 1 + payload.length);
  out[4] = id;
  out.set(payload, 5);
  return out;
}
