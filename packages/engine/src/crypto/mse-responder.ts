/**
 * The receiving side (B) of the MSE/PE handshake as a pure state machine: bytes in through `push`, bytes out
 * through `send`, and a result once the payload stream starts. It also recognises a plain BitTorrent handshake
 * (BEP 3: `\x13BitTorrent protocol`) in the first 20 bytes, so one listen socket serves both kinds of peer.
 *
 * Every wait is bounded as the spec says: `HASH('req1', S)` must start within 512 bytes of padding after Ya,
 * PadC is at most 512 bytes, and IA at most 65535 (its 2-byte length).
 */
import type { Random } from '../platform/random.js';
import { PROTOCOL_HEADER } from '../wire/handshake.js';
import { dhSharedSecret, generateDhKeyPair, MSE_KEY_LENGTH } from './diffie-hellman.js';
import { MseError } from './mse-error.js';
import {
  appendBytes,
  findPattern,
  MSE_HASH_LENGTH,
  MSE_MAX_PAD,
  MSE_METHOD_PLAINTEXT,
  MSE_METHOD_RC4,
  MSE_VC_LENGTH,
  type MseCiphers,
  mseCiphers,
  req1Hash,
  req2Hash,
  req3Hash,
  type StreamEncryption,
  xorBytes,
} from './mse-protocol.js';

/** How a finished handshake left the stream. */
export interface MseOutcome {
  readonly encryption: StreamEncryption;
  /** The SKEY (info-hash) the peer asked for; undefined for a plain BitTorrent handshake. */
  readonly skey: Uint8Array | undefined;
  /** Set when `encryption` is `rc4`: the streams that carry on from the handshake. */
  readonly ciphers: MseCiphers | undefined;
  /** Payload bytes that arrived with the handshake (IA and anything after it), already decrypted. */
  readonly received: Uint8Array;
}

/** The state of a handshake after some input. */
export type MseStep =
  | { readonly status: 'pending' }
  | { readonly status: 'done'; readonly outcome: MseOutcome }
  | { readonly status: 'failed'; readonly error: MseError };

/** The driver's view of either role (see `mse-handshake.ts`). */
export interface MseHandshakeMachine {
  push(chunk: Uint8Array): MseStep;
}

export interface MseResponderOptions {
  readonly random: Random;
  /** The SKEYs (info-hashes) we serve; read once, when `HASH('req2', SKEY)` arrives. */
  readonly skeys: () => Iterable<Uint8Array>;
  /** Methods we accept (`MSE_METHOD_*` bits). Default both. */
  readonly allowedMethods?: number;
  /**
   * When the initiator provides both methods: true selects RC4, false (default) plaintext after the obfuscated
   * handshake, as libtorrent does (`prefer_rc4` off). RC4 in JavaScript was half a seeder's CPU time; a peer that
   * needs the stream encrypted provides RC4 only, and gets it.
   */
  readonly preferRc4?: boolean;
  /** Whether a plain BitTorrent handshake is accepted instead of MSE. Default true. */
  readonly allowLegacyPlaintext?: boolean;
  /** Writes bytes to the initiator. */
  readonly send: (bytes: Uint8Array) => void;
}

type Phase = 'sniff' | 'public-key' | 'sync' | 'skey' | 'vc' | 'pad-c' | 'ia' | 'finished';

const PENDING: MseStep = { status: 'pending' };
/** The most bytes before `HASH('req1', S)` ends: Ya, the longest PadA, the hash. */
const REQ1_SEARCH_LIMIT = MSE_KEY_LENGTH + MSE_MAX_PAD + MSE_HASH_LENGTH;

export class MseResponder implements MseHandshakeMachine {
  private readonly options: MseResponderOptions;
  private readonly allowed: number;
  private phase: Phase;
  private buffer: Uint8Array = new Uint8Array(0);
  private secret: Uint8Array = new Uint8Array(0);
  private skey: Uint8Array = new Uint8Array(0);
  private ciphers: MseCiphers | undefined;
  private selected = 0;
  private padCLength = 0;
  private iaLength = 0;

  constructor(options: MseResponderOptions) {
    this.options = options;
    this.allowed = options.allowedMethods ?? MSE_METHOD_PLAINTEXT | MSE_METHOD_RC4;
    this.phase = options.allowLegacyPlaintext === false ? 'public-key' : 'sniff';
  }

  push(chunk: Uint8Array): MseStep {
    if (this.phase === 'finished') throw new Error('MseResponder: push after the handshake finished');
    this.buffer = appendBytes(this.buffer, chunk);
    try {
      return this.advance();
    } catch (error) {
      this.phase = 'finished';
      if (error instanceof MseError) return { status: 'failed', error };
      throw error;
    }
  }

  private advance(): MseStep {
    for (;;) {
      switch (this.phase) {
        case 'sniff': {
          // A plain handshake starts with the 20-byte protocol header; Ya matches it by chance with p = 2^-160.
          const n = Math.min(this.buffer.length, PROTOCOL_HEADER.length);
          for (let i = 0; i < n; i++) {
            if (this.buffer[i] !== PROTOCOL_HEADER[i]) {
              this.phase = 'public-key';
              break;
            }
          }
          if (this.phase === 'sniff') {
            if (n < PROTOCOL_HEADER.length) return PENDING;
            return this.finish('none', this.buffer);
          }
          break;
        }
        case 'public-key': {
          if (this.buffer.length < MSE_KEY_LENGTH) return PENDING;
          const keys = generateDhKeyPair(this.options.random);
          const secret = dhSharedSecret(keys.privateKey, this.buffer.subarray(0, MSE_KEY_LENGTH));
          if (secret === undefined)
            throw new MseError('MSE_BAD_PUBLIC_KEY', "the peer's DH key is degenerate");
          this.secret = secret;
          const padB = this.options.random.bytes(Math.floor(this.options.random.float() * (MSE_MAX_PAD + 1)));
          this.options.send(appendBytes(keys.publicKey, padB));
          this.phase = 'sync';
          break;
        }
        case 'sync': {
          const at = findPattern(
            this.buffer,
            req1Hash(this.secret),
            MSE_KEY_LENGTH,
            MSE_KEY_LENGTH + MSE_MAX_PAD,
          );
          if (at < 0) {
            if (this.buffer.length >= REQ1_SEARCH_LIMIT) {
              throw new MseError('MSE_NO_SYNC', `no HASH('req1', S) within ${REQ1_SEARCH_LIMIT} bytes`);
            }
            return PENDING;
          }
          this.consume(at + MSE_HASH_LENGTH);
          this.phase = 'skey';
          break;
        }
        case 'skey': {
          if (this.buffer.length < MSE_HASH_LENGTH) return PENDING;
          const wanted = xorBytes(this.take(MSE_HASH_LENGTH), req3Hash(this.secret));
          const skey = this.findSkey(wanted);
          if (skey === undefined) {
            throw new MseError('MSE_UNKNOWN_INFO_HASH', "HASH('req2', SKEY) names none of our torrents");
          }
          this.skey = skey;
          this.ciphers = mseCiphers('responder', this.secret, skey);
          this.phase = 'vc';
          break;
        }
        case 'vc': {
          if (this.buffer.length < MSE_VC_LENGTH + 6) return PENDING;
          const fields = this.ciphers!.decrypt.applyInPlace(this.take(MSE_VC_LENGTH + 6));
          for (let i = 0; i < MSE_VC_LENGTH; i++) {
            if (fields[i] !== 0) throw new MseError('MSE_BAD_VC', 'the verification constant is not zero');
          }
          const view = new DataView(fields.buffer, fields.byteOffset, fields.byteLength);
          const provided = view.getUint32(MSE_VC_LENGTH);
          this.padCLength = view.getUint16(MSE_VC_LENGTH + 4);
          if (this.padCLength > MSE_MAX_PAD) {
            throw new MseError(
              'MSE_BAD_PAD_LENGTH',
              `PadC of ${this.padCLength} bytes (at most ${MSE_MAX_PAD})`,
            );
          }
          const common = provided & this.allowed;
          const both = MSE_METHOD_RC4 | MSE_METHOD_PLAINTEXT;
          if ((common & both) === both) {
            this.selected = this.options.preferRc4 === true ? MSE_METHOD_RC4 : MSE_METHOD_PLAINTEXT;
          } else if (common & MSE_METHOD_RC4) this.selected = MSE_METHOD_RC4;
          else if (common & MSE_METHOD_PLAINTEXT) this.selected = MSE_METHOD_PLAINTEXT;
          else
            throw new MseError('MSE_NO_COMMON_METHOD', `the peer provides 0x${provided.toString(16)} only`);
          this.phase = 'pad-c';
          break;
        }
        case 'pad-c': {
          if (this.buffer.length < this.padCLength + 2) return PENDING;
          const fields = this.ciphers!.decrypt.applyInPlace(this.take(this.padCLength + 2));
          this.iaLength = (fields[this.padCLength]! << 8) | fields[this.padCLength + 1]!;
          this.phase = 'ia';
          break;
        }
        case 'ia': {
          if (this.buffer.length < this.iaLength) return PENDING;
          // IA is always RC4-encrypted: A sends it before it knows which method B selects.
          const ia = this.ciphers!.decrypt.applyInPlace(this.take(this.iaLength));
          const rest = this.buffer;
          if (this.selected === MSE_METHOD_RC4) this.ciphers!.decrypt.applyInPlace(rest);
          const reply = new Uint8Array(MSE_VC_LENGTH + 6); // VC, crypto_select, len(PadD) = 0
          new DataView(reply.buffer).setUint32(MSE_VC_LENGTH, this.selected);
          this.options.send(this.ciphers!.encrypt.applyInPlace(reply));
          return this.finish(this.selected === MSE_METHOD_RC4 ? 'rc4' : 'plaintext', appendBytes(ia, rest));
        }
        case 'finished':
          return PENDING;
      }
    }
  }

  private findSkey(wanted: Uint8Array): Uint8Array | undefined {
    for (const skey of this.options.skeys()) {
      const hash = req2Hash(skey);
      if (hash.every((byte, i) => byte === wanted[i])) return skey;
    }
    return undefined;
  }

  private take(count: number): Uint8Array {
    const bytes = this.buffer.slice(0, count);
    this.consume(count);
    return bytes;
  }

  private consume(count: number): void {
    this.buffer = this.buffer.subarray(count);
  }

  private finish(encryption: StreamEncryption, received: Uint8Array): MseStep {
    this.phase = 'finished';
    this.buffer = new Uint8Array(0);
    return {
      status: 'done',
      outcome: {
        encryption,
        skey: encryption === 'none' ? undefined : this.skey,
        ciphers: encryption === 'rc4' ? this.ciphers : undefined,
        received: received.slice(),
      },
    };
  }
}
