/**
 * Property tests of the MSE/PE state machines on hostile input: whatever bytes arrive, in whatever chunks, a
 * machine never throws past `push`, never sends more than its own handshake, and reaches a verdict within the
 * bounds the spec sets (the responder within 628 bytes when no `req1` appears).
 */
import { SeededRandom } from '@bitloom/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MseInitiator } from '../../src/crypto/mse-initiator.js';
import { MseResponder, type MseStep } from '../../src/crypto/mse-responder.js';

const chunked = fc
  .tuple(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 700 }))
  .map(([bytes, size]) => {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
    return chunks;
  });

function feedAll(machine: { push(chunk: Uint8Array): MseStep }, chunks: Uint8Array[]) {
  let step: MseStep = { status: 'pending' };
  let fed = 0;
  for (const chunk of chunks) {
    if (step.status !== 'pending') break;
    step = machine.push(chunk);
    fed += chunk.length;
  }
  return { step, fed };
}

describe('MSE state machines on random bytes', () => {
  it('the responder never throws, and gives up on anything unsynchronised by 628 bytes + one chunk', () => {
    fc.assert(
      fc.property(chunked, fc.integer({ min: 1, max: 1000 }), (chunks, seed) => {
        const sent: Uint8Array[] = [];
        const responder = new MseResponder({
          random: new SeededRandom(seed),
          skeys: () => [new Uint8Array(20).fill(1)],
          allowLegacyPlaintext: false,
          send: (bytes) => sent.push(bytes),
        });
        const { step, fed } = feedAll(responder, chunks);
        expect(step.status).not.toBe('done'); // random bytes never hit the req1 hash of a fresh S
        if (fed >= 96 + 512 + 20 + 700) expect(step.status).toBe('failed');
        expect(sent.length).toBeLessThanOrEqual(1);
        if (sent[0]) expect(sent[0].length).toBeLessThanOrEqual(96 + 512);
      }),
      { numRuns: 200 },
    );
  });

  it('the initiator never throws, and gives up on anything unsynchronised by 616 bytes + one chunk', () => {
    fc.assert(
      fc.property(chunked, fc.integer({ min: 1, max: 1000 }), (chunks, seed) => {
        const sent: Uint8Array[] = [];
        const initiator = new MseInitiator({
          random: new SeededRandom(seed),
          skey: new Uint8Array(20).fill(1),
          send: (bytes) => sent.push(bytes),
        });
        initiator.start();
        const { step, fed } = feedAll(initiator, chunks);
        expect(step.status).not.toBe('done');
        if (fed >= 96 + 512 + 8 + 700) expect(step.status).toBe('failed');
        expect(sent.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 200 },
    );
  });
});
