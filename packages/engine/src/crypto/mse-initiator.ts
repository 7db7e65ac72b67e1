/**
 * The connecting side (A) of the MSE/PE handshake as a pure state machine, the mirror of `MseResponder`: it
 * sends Ya and PadA at `start`, answers Yb with the req hashes and its offer (crypto_provide, PadC, IA), then
 * finds the responder's encrypted VC within 512 bytes of PadB and reads crypto_select and PadD.
 */
import type { Random } from '../platform/random.js';
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
  xorBytes,
} from './mse-protocol.js';
import type { MseHandshakeMachine, MseStep } from './mse-responder.js';

export interface MseInitiatorOptions {
  readonly random: Random;
  /** The torrent's info-hash. */
  readonly skey: Uint8Array;
  /** Methods we offer (`MSE_METHOD_*` bits). Default both. */
  readonly providedMethods?: number;
  /** Initial payload sent inside the handshake, RC4-encrypted (usually our BitTorrent handshake); ≤ 65535. */
  readonly initialPayload?: Uint8Array;
  /** Writes bytes to the responder. */
  readonly send: (bytes: Uint8Array) => void;
}

type Phase = 'idle' | 'public-key' | 'sync' | 'select' | 'pad-d' | 'finished';

const PENDING: MseStep = { status: 'pending' };

export class MseInitiator implements MseHandshakeMachine {
  private readonly options: MseInitiatorOptions;
  private readonly provided: number;
  private phase: Phase = 'idle';
  private buffer: Uint8Array = new Uint8Array(0);
  private privateKey = 0n;
  private ciphers: MseCiphers | undefined;
  private encryptedVc: Uint8Array = new Uint8Array(0);
  private selected = 0;
  private padDLength = 0;

  constructor(options: MseInitiatorOptions) {
    this.options = options;
    this.provided = options.providedMethods ?? MSE_METHOD_PLAINTEXT | MSE_METHOD_RC4;
    if ((options.initialPayload?.length ?? 0) > 0xffff) throw new RangeError('IA is at most 65535 bytes');
  }

  /** Sends Ya and PadA. Call once, before `push`. */
  start(): void {
    if (this.phase !== 'idle') throw new Error('MseInitiator: started twice');
    const keys = generateDhKeyPair(this.options.random);
    this.privateKey = keys.privateKey;
    const padA = this.options.random.bytes(Math.floor(this.options.random.float() * (MSE_MAX_PAD + 1)));
    this.options.send(appendBytes(keys.publicKey, padA));
    this.phase = 'public-key';
  }

  push(chunk: Uint8Array): MseStep {
    if (this.phase === 'idle') throw new Error('MseInitiator: push before start');
    if (this.phase === 'finished') throw new Error('MseInitiator: push after the handshake finished');
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
        case 'public-key': {
          if (this.buffer.length < MSE_KEY_LENGTH) return PENDING;
          const secret = dhSharedSecret(this.privateKey, this.buffer.subarray(0, MSE_KEY_LENGTH));
          if (secret === undefined)
            throw new MseError('MSE_BAD_PUBLIC_KEY', "the peer's DH key is degenerate");
          this.privateKey = 0n;
          this.ciphers = mseCiphers('initiator', secret, this.options.skey);
          this.encryptedVc = this.ciphers.decrypt.applyInPlace(new Uint8Array(MSE_VC_LENGTH));
          this.sendOffer(secret);
          this.phase = 'sync';
          break;
        }
        case 'sync': {
          const lastStart = MSE_KEY_LENGTH + MSE_MAX_PAD;
          const at = findPattern(this.buffer, this.encryptedVc, MSE_KEY_LENGTH, lastStart);
          if (at < 0) {
            if (this.buffer.length >= lastStart + MSE_VC_LENGTH) {
              throw new MseError('MSE_NO_SYNC', `no encrypted VC within ${lastStart + MSE_VC_LENGTH} bytes`);
            }
            return PENDING;
          }
          this.buffer = this.buffer.subarray(at + MSE_VC_LENGTH);
          this.phase = 'select';
          break;
        }
        case 'select': {
          if (this.buffer.length < 6) return PENDING;
          const fields = this.ciphers!.decrypt.applyInPlace(this.take(6));
          const view = new DataView(fields.buffer, fields.byteOffset, fields.byteLength);
          this.selected = view.getUint32(0);
          this.padDLength = view.getUint16(4);
          const oneMethod = this.selected === MSE_METHOD_PLAINTEXT || this.selected === MSE_METHOD_RC4;
          if (!oneMethod || (this.selected & this.provided) === 0) {
            throw new MseError('MSE_BAD_SELECT', `the peer selected 0x${this.selected.toString(16)}`);
          }
          if (this.padDLength > MSE_MAX_PAD) {
            throw new MseError(
              'MSE_BAD_PAD_LENGTH',
              `PadD of ${this.padDLength} bytes (at most ${MSE_MAX_PAD})`,
            );
          }
          this.phase = 'pad-d';
          break;
        }
        case 'pad-d': {
          if (this.buffer.length < this.padDLength) return PENDING;
          this.ciphers!.decrypt.applyInPlace(this.take(this.padDLength));
          const rest = this.buffer.slice();
          const rc4 = this.selected === MSE_METHOD_RC4;
          if (rc4) this.ciphers!.decrypt.applyInPlace(rest);
          this.phase = 'finished';
          this.buffer = new Uint8Array(0);
          return {
            status: 'done',
            outcome: {
              encryption: rc4 ? 'rc4' : 'plaintext',
              skey: this.options.skey,
              ciphers: rc4 ? this.ciphers : undefined,
              received: rest,
            },
          };
        }
        default:
          return PENDING;
      }
    }
  }

  /** Step 3: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), ENCRYPT(VC, provide, PadC, IA). */
  private sendOffer(secret: Uint8Array): void {
    const ia = this.options.initialPayload ?? new Uint8Array(0);
    const header = new Uint8Array(MSE_HASH_LENGTH * 2);
    header.set(req1Hash(secret), 0);
    header.set(xorBytes(req2Hash(this.options.skey), req3Hash(secret)), MSE_HASH_LENGTH);
    // PadC stays empty: the spec allows 0-512 bytes and libtorrent sends none either.
    const offer = new Uint8Array(MSE_VC_LENGTH + 4 + 2 + 2 + ia.length);
    const view = new DataView(offer.buffer);
    view.setUint32(MSE_VC_LENGTH, this.provided);
    view.setUint16(MSE_VC_LENGTH + 4, 0);
    view.setUint16(MSE_VC_LENGTH + 6, ia.length);
    offer.set(ia, MSE_VC_LENGTH + 8);
    this.options.send(appendBytes(header, this.ciphers!.encrypt.applyInPlace(offer)));
  }

  private take(count: number): Uint8Array {
    const bytes = this.buffer.slice(0, count);
    this.buffer = this.buffer.subarray(count);
    return bytes;
  }
}
