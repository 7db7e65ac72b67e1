/**
 * The MSE/PE handshake state machines: the initiator against the responder (both methods, IA, any chunking),
 * the responder against a hand-driven initiator, and hostile input named by attack: garbage instead of the DH
 * key, no `req1` sync within 628 bytes, oversized pads, a wrong VC, an unknown info-hash.
 */
import { SeededRandom } from '@bitloom/testkit';
import { describe, expect, it } from 'vitest';
import { dhSharedSecret, generateDhKeyPair, MSE_KEY_LENGTH } from '../../src/crypto/diffie-hellman.js';
import { MseInitiator } from '../../src/crypto/mse-initiator.js';
import {
  MSE_METHOD_PLAINTEXT,
  MSE_METHOD_RC4,
  mseCiphers,
  req1Hash,
  req2Hash,
  req3Hash,
  xorBytes,
} from '../../src/crypto/mse-protocol.js';
import { MseResponder, type MseResponderOptions, type MseStep } from '../../src/crypto/mse-responder.js';
import { encodeHandshake } from '../../src/wire/index.js';

const INFO_HASH = new Uint8Array(20).fill(0x11);
const OTHER_INFO_HASH = new Uint8Array(20).fill(0x22);
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function responder(sent: Uint8Array[], options: Partial<MseResponderOptions> = {}): MseResponder {
  return new MseResponder({
    random: new SeededRandom(2),
    skeys: () => [OTHER_INFO_HASH, INFO_HASH],
    send: (bytes) => sent.push(bytes),
    ...options,
  });
}

/** Feeds `bytes` to `machine` in chunks of `chunkSize`, stopping at the first step that is not pending. */
function feed(
  machine: { push(chunk: Uint8Array): MseStep },
  bytes: Uint8Array,
  chunkSize = bytes.length,
): MseStep {
  let step: MseStep = { status: 'pending' };
  for (let at = 0; at < bytes.length && step.status === 'pending'; at += chunkSize) {
    step = machine.push(bytes.slice(at, at + chunkSize));
  }
  return step;
}

/** Runs both machines against each other, delivering each side's output in `chunkSize` pieces. */
function runPair(options: {
  provided?: number;
  allowed?: number;
  preferRc4?: boolean;
  initialPayload?: Uint8Array;
  chunkSize: number;
  seed?: number;
}): { initiator: MseStep; responder: MseStep; toResponder: Uint8Array[]; toInitiator: Uint8Array[] } {
  const toResponder: Uint8Array[] = [];
  const toInitiator: Uint8Array[] = [];
  const a = new MseInitiator({
    random: new SeededRandom(options.seed ?? 1),
    skey: INFO_HASH,
    providedMethods: options.provided,
    initialPayload: options.initialPayload,
    send: (bytes) => toResponder.push(bytes),
  });
  const b = responder(toInitiator, {
    random: new SeededRandom((options.seed ?? 1) + 1000),
    allowedMethods: options.allowed,
    ...(options.preferRc4 !== undefined && { preferRc4: options.preferRc4 }),
  });
  a.start();
  let stepA: MseStep = { status: 'pending' };
  let stepB: MseStep = { status: 'pending' };
  for (let round = 0; round < 10 && (stepA.status === 'pending' || stepB.status === 'pending'); round++) {
    if (stepB.status === 'pending' && toResponder.length > 0) {
      stepB = feed(b, concat(...toResponder.splice(0)), options.chunkSize);
    }
    if (stepA.status === 'pending' && toInitiator.length > 0) {
      stepA = feed(a, concat(...toInitiator.splice(0)), options.chunkSize);
    }
  }
  return { initiator: stepA, responder: stepB, toResponder, toInitiator };
}

describe('initiator against responder', () => {
  for (const chunkSize of [1, 7, 100, 10_000]) {
    it(`agrees on RC4 when that is what the initiator provides, and carries IA, delivered in ${chunkSize}-byte chunks`, () => {
      const handshake = encodeHandshake({
        reserved: new Uint8Array(8),
        infoHash: INFO_HASH,
        peerId: new Uint8Array(20).fill(9),
      });
      const { initiator, responder } = runPair({
        chunkSize,
        initialPayload: handshake,
        provided: MSE_METHOD_RC4,
      });
      expect(responder.status).toBe('done');
      expect(initiator.status).toBe('done');
      if (responder.status !== 'done' || initiator.status !== 'done') return;
      expect(responder.outcome.encryption).toBe('rc4');
      expect(initiator.outcome.encryption).toBe('rc4');
      expect(responder.outcome.skey).toEqual(INFO_HASH);
      expect(responder.outcome.received).toEqual(handshake);
      // The streams carry on: what one side encrypts next, the other decrypts.
      const message = text('after the handshake');
      const wire = initiator.outcome.ciphers!.encrypt.apply(message);
      expect(wire).not.toEqual(message);
      expect(responder.outcome.ciphers!.decrypt.apply(wire)).toEqual(message);
      const back = responder.outcome.ciphers!.encrypt.apply(message);
      expect(initiator.outcome.ciphers!.decrypt.apply(back)).toEqual(message);
    });
  }

  it('selects plaintext when that is all the initiator provides', () => {
    const { initiator, responder } = runPair({ chunkSize: 50, provided: MSE_METHOD_PLAINTEXT });
    expect(responder.status === 'done' && responder.outcome.encryption).toBe('plaintext');
    expect(initiator.status === 'done' && initiator.outcome.encryption).toBe('plaintext');
    expect(responder.status === 'done' && responder.outcome.ciphers).toBeUndefined();
  });

  it('selects plaintext when the initiator provides both (libtorrent: prefer_rc4 off), RC4 with preferRc4', () => {
    const both = runPair({ chunkSize: 50 });
    expect(both.responder.status === 'done' && both.responder.outcome.encryption).toBe('plaintext');
    expect(both.initiator.status === 'done' && both.initiator.outcome.encryption).toBe('plaintext');
    const preferred = runPair({ chunkSize: 50, preferRc4: true });
    expect(preferred.responder.status === 'done' && preferred.responder.outcome.encryption).toBe('rc4');
    expect(preferred.initiator.status === 'done' && preferred.initiator.outcome.encryption).toBe('rc4');
  });

  it('selects plaintext when the responder allows only that, though RC4 is offered too', () => {
    const { initiator } = runPair({ chunkSize: 50, allowed: MSE_METHOD_PLAINTEXT });
    expect(initiator.status === 'done' && initiator.outcome.encryption).toBe('plaintext');
  });

  it('fails with MSE_NO_COMMON_METHOD when the responder requires RC4 and only plaintext is provided', () => {
    const { responder } = runPair({ chunkSize: 50, allowed: MSE_METHOD_RC4, provided: MSE_METHOD_PLAINTEXT });
    expect(responder.status === 'failed' && responder.error.code).toBe('MSE_NO_COMMON_METHOD');
  });

  it('works for many seeds (random pad lengths on both sides)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { initiator, responder } = runPair({ chunkSize: 33, seed });
      expect([initiator.status, responder.status], `seed ${seed}`).toEqual(['done', 'done']);
    }
  });
});

/** A hand-driven initiator: lets a test put any bytes at any step. */
function handInitiator(seed = 5) {
  const keys = generateDhKeyPair(new SeededRandom(seed));
  return {
    publicKey: keys.publicKey,
    offer(
      replyFromResponder: Uint8Array,
      fields: {
        skey?: Uint8Array;
        provide?: number;
        padC?: number;
        claimedPadC?: number;
        vc?: Uint8Array;
        ia?: Uint8Array;
      },
    ) {
      const secret = dhSharedSecret(keys.privateKey, replyFromResponder.subarray(0, MSE_KEY_LENGTH))!;
      const skey = fields.skey ?? INFO_HASH;
      const ciphers = mseCiphers('initiator', secret, skey);
      const padC = new Uint8Array(fields.padC ?? 0);
      const ia = fields.ia ?? new Uint8Array(0);
      const plain = new Uint8Array(8 + 4 + 2 + padC.length + 2 + ia.length);
      plain.set(fields.vc ?? new Uint8Array(8));
      const view = new DataView(plain.buffer);
      view.setUint32(8, fields.provide ?? MSE_METHOD_RC4);
      view.setUint16(12, fields.claimedPadC ?? padC.length);
      view.setUint16(14 + padC.length, ia.length);
      plain.set(ia, 16 + padC.length);
      const wire = concat(
        req1Hash(secret),
        xorBytes(req2Hash(skey), req3Hash(secret)),
        ciphers.encrypt.applyInPlace(plain),
      );
      return { wire, ciphers };
    },
  };
}

describe('responder against a hand-driven initiator', () => {
  it('answers Ya with Yb and at most 512 bytes of PadB, then an encrypted VC and crypto_select', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    expect(feed(b, concat(a.publicKey, new Uint8Array(300)))).toEqual({ status: 'pending' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.length).toBeGreaterThanOrEqual(96);
    expect(sent[0]!.length).toBeLessThanOrEqual(96 + 512);
    const { wire, ciphers } = a.offer(sent[0]!, {
      provide: MSE_METHOD_RC4,
      padC: 512,
    });
    const pipelined = text('pipelined payload');
    // Payload pipelined behind the offer, in the same chunk: it comes back decrypted with the outcome.
    const step = feed(b, concat(wire, ciphers.encrypt.apply(pipelined)));
    expect(step.status).toBe('done');
    if (step.status !== 'done') return;
    expect(step.outcome.received).toEqual(pipelined);
    const reply = ciphers.decrypt.apply(sent[1]!);
    expect(reply).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]));
  });

  it('passes a plain BitTorrent handshake through untouched, sending nothing', () => {
    const sent: Uint8Array[] = [];
    const handshake = encodeHandshake({
      reserved: new Uint8Array(8),
      infoHash: INFO_HASH,
      peerId: new Uint8Array(20).fill(3),
    });
    // Decided once the 20-byte protocol header is complete (here in the third 7-byte chunk): all read so far
    // comes back as payload.
    const step = feed(responder(sent), handshake, 7);
    expect(step.status === 'done' && step.outcome.encryption).toBe('none');
    expect(step.status === 'done' && step.outcome.received).toEqual(handshake.subarray(0, 21));
    expect(sent).toEqual([]);
  });

  it('treats a Ya that merely starts with byte 19 as MSE, not as a plain handshake', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const ya = new Uint8Array(96).fill(0x42);
    ya[0] = 19;
    expect(feed(b, ya)).toEqual({ status: 'pending' });
    expect(sent).toHaveLength(1);
  });

  it('refuses a plain BitTorrent handshake when legacy plaintext is off', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent, { allowLegacyPlaintext: false });
    const handshake = encodeHandshake({
      reserved: new Uint8Array(8),
      infoHash: INFO_HASH,
      peerId: new Uint8Array(20).fill(3),
    });
    // 68 bytes is not a whole Ya: the responder waits, and the session's timeout ends it.
    expect(feed(b, handshake)).toEqual({ status: 'pending' });
    expect(sent).toEqual([]);
  });

  it('hostile: garbage instead of the DH key (zeros) fails with MSE_BAD_PUBLIC_KEY and sends nothing', () => {
    const sent: Uint8Array[] = [];
    const step = feed(responder(sent), new Uint8Array(96));
    expect(step.status === 'failed' && step.error.code).toBe('MSE_BAD_PUBLIC_KEY');
    expect(sent).toEqual([]);
  });

  it('hostile: random garbage with no req1 sync gives up at 628 bytes, not later', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const garbage = new SeededRandom(99).bytes(2000);
    garbage[0] = 0x7f; // not a BitTorrent handshake
    let step: MseStep = { status: 'pending' };
    let fedBytes = 0;
    while (step.status === 'pending' && fedBytes < garbage.length) {
      step = b.push(garbage.slice(fedBytes, fedBytes + 1));
      fedBytes++;
    }
    expect(step.status === 'failed' && step.error.code).toBe('MSE_NO_SYNC');
    expect(fedBytes).toBe(96 + 512 + 20);
  });

  it('hostile: a req1 hash placed after 512 bytes of PadA is not found', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, {});
    const step = feed(b, concat(new Uint8Array(513), wire));
    expect(step.status === 'failed' && step.error.code).toBe('MSE_NO_SYNC');
  });

  it('finds req1 after exactly 512 bytes of PadA', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, {});
    expect(feed(b, concat(new Uint8Array(512), wire)).status).toBe('done');
  });

  it('hostile: an oversized PadC (513 bytes claimed) fails with MSE_BAD_PAD_LENGTH', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, { claimedPadC: 0xffff });
    const step = feed(b, wire);
    expect(step.status === 'failed' && step.error.code).toBe('MSE_BAD_PAD_LENGTH');
  });

  it('hostile: a nonzero VC fails with MSE_BAD_VC', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, { vc: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]) });
    expect(feed(b, wire)).toMatchObject({ status: 'failed', error: { code: 'MSE_BAD_VC' } });
  });

  it('hostile: HASH(req2) of a torrent we do not have fails with MSE_UNKNOWN_INFO_HASH', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, { skey: new Uint8Array(20).fill(0x33) });
    expect(feed(b, wire)).toMatchObject({ status: 'failed', error: { code: 'MSE_UNKNOWN_INFO_HASH' } });
  });

  it('hostile: crypto_provide with neither known bit fails with MSE_NO_COMMON_METHOD', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, { provide: 0xfffffffc });
    expect(feed(b, wire)).toMatchObject({ status: 'failed', error: { code: 'MSE_NO_COMMON_METHOD' } });
  });

  it('matches the SKEY among several torrents', () => {
    const sent: Uint8Array[] = [];
    const b = responder(sent);
    const a = handInitiator();
    feed(b, a.publicKey);
    const { wire } = a.offer(sent[0]!, { skey: OTHER_INFO_HASH });
    const step = feed(b, wire);
    expect(step.status === 'done' && step.outcome.skey).toEqual(OTHER_INFO_HASH);
  });
});

describe('initiator against a hostile responder', () => {
  const start = () => {
    const sent: Uint8Array[] = [];
    const a = new MseInitiator({ random: new SeededRandom(8), skey: INFO_HASH, send: (b) => sent.push(b) });
    a.start();
    return { a, sent };
  };

  it('hostile: no encrypted VC within 96 + 512 + 8 bytes fails with MSE_NO_SYNC', () => {
    const { a } = start();
    const yb = generateDhKeyPair(new SeededRandom(77)).publicKey;
    expect(a.push(yb)).toEqual({ status: 'pending' });
    const step = feed(a, new SeededRandom(3).bytes(600), 1);
    expect(step).toMatchObject({ status: 'failed', error: { code: 'MSE_NO_SYNC' } });
  });

  it('hostile: a degenerate Yb fails with MSE_BAD_PUBLIC_KEY', () => {
    const { a } = start();
    expect(a.push(new Uint8Array(96).fill(0xff))).toMatchObject({
      status: 'failed',
      error: { code: 'MSE_BAD_PUBLIC_KEY' },
    });
  });

  it('hostile: selecting both methods at once fails with MSE_BAD_SELECT', () => {
    const { a, sent } = start();
    const keys = generateDhKeyPair(new SeededRandom(77));
    const secret = dhSharedSecret(keys.privateKey, sent[0]!.subarray(0, 96))!;
    const ciphers = mseCiphers('responder', secret, INFO_HASH);
    const reply = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
    const step = feed(a, concat(keys.publicKey, ciphers.encrypt.applyInPlace(reply)));
    expect(step).toMatchObject({ status: 'failed', error: { code: 'MSE_BAD_SELECT' } });
  });
});
