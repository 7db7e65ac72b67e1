/**
 * A seeded pseudo-random source: the testkit's implementation of the engine's `Random`. The same seed gives
 * the same peer ids, tie-breaks and packet losses on every run. The generator is sfc32 (Chris Doty-Humphrey's
 * Small Fast Counter), seeded through splitmix32 so nearby seeds give unrelated streams. Not cryptographic.
 */
import type { Random } from '@bitloom/engine';

/** splitmix32: spreads one 32-bit seed into well-mixed words for the generator's state. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** A deterministic `Random` from a numeric seed. */
export class SeededRandom implements Random {
  #a: number;
  #b: number;
  #c: number;
  #counter: number;

  /** @param seed - any finite number; its integer part (mod 2^32) and, for large seeds, its high bits matter. */
  constructor(seed: number) {
    const low = Math.trunc(seed) | 0;
    const high = Math.trunc(seed / 2 ** 32) | 0;
    let state = low ^ Math.imul(high, 0x27d4eb2d);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, output] = splitmix32(state);
      state = next;
      words.push(output);
    }
    this.#a = words[0]!;
    this.#b = words[1]!;
    this.#c = words[2]!;
    this.#counter = words[3]!;
    // Discard the first outputs: sfc32 mixes its state in a dozen rounds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#counter) | 0;
    this.#counter = (this.#counter + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.nextUint32() / 2 ** 32;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let word = this.nextUint32();
      for (let j = i; j < Math.min(i + 4, length); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }

  /** A new generator seeded from this one, so components can draw independently yet reproducibly. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32() + this.nextUint32() * 2 ** 32);
  }
}
