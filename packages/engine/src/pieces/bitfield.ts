/**
 * A bitfield: one bit per piece, in the BEP 3 wire order (the high bit of byte 0 is piece 0; spare bits at the
 * end of the last byte are zero). Used for what we have, what each peer has, and BEP 6 allowed-fast sets.
 * `count()` is kept up to date on every change, so it is O(1).
 */
import { BitfieldError } from './errors.js';

/** Set bits per byte value, so counting a received bitfield is one lookup per byte. */
const POPCOUNT = new Uint8Array(256);
for (let value = 1; value < 256; value++) POPCOUNT[value] = (value & 1) + POPCOUNT[value >> 1]!;

const byteLengthFor = (length: number): number => Math.ceil(length / 8);

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new BitfieldError(
      'BITFIELD_BAD_LENGTH',
      `bitfield length must be a non-negative integer, got ${length}`,
    );
  }
}

export class Bitfield {
  /** Number of bits (pieces). */
  readonly length: number;
  readonly #bytes: Uint8Array;
  #setCount = 0;

  /** An empty bitfield of `length` bits. */
  constructor(length: number) {
    checkLength(length);
    this.length = length;
    this.#bytes = new Uint8Array(byteLengthFor(length));
  }

  /**
   * Reads a bitfield as sent on the wire. The bytes are copied.
   * @throws BitfieldError `BITFIELD_BAD_LENGTH` when `bytes` is not exactly ⌈length/8⌉ bytes long,
   *   `BITFIELD_SPARE_BITS` when a bit past `length` is set (BEP 3 says a peer sending that should be dropped).
   */
  static fromBytes(bytes: Uint8Array, length: number): Bitfield {
    checkLength(length);
    const expected = byteLengthFor(length);
    if (bytes.length !== expected) {
      throw new BitfieldError(
        'BITFIELD_BAD_LENGTH',
        `bitfield for ${length} pieces must be ${expected} bytes, got ${bytes.length}`,
      );
    }
    const spareBits = expected * 8 - length;
    if (spareBits > 0 && (bytes[expected - 1]! & ((1 << spareBits) - 1)) !== 0) {
      throw new BitfieldError('BITFIELD_SPARE_BITS', 'bitfield has bits set past the last piece');
    }
    const bitfield = new Bitfield(length);
    bitfield.#bytes.set(bytes);
    let count = 0;
    for (const byte of bytes) count += POPCOUNT[byte]!;
    bitfield.#setCount = count;
    return bitfield;
  }

  /** A bitfield with every bit set (a seed's, or BEP 6 HAVE ALL). */
  static full(length: number): Bitfield {
    const bitfield = new Bitfield(length);
    const bytes = bitfield.#bytes;
    bytes.fill(0xff);
    const spareBits = bytes.length * 8 - length;
    if (spareBits > 0) bytes[bytes.length - 1] = (0xff << spareBits) & 0xff;
    bitfield.#setCount = length;
    return bitfield;
  }

  get(index: number): boolean {
    this.#check(index);
    return (this.#bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): void {
    this.#check(index);
    const mask = 0x80 >> (index & 7);
    const byte = this.#bytes[index >> 3]!;
    if ((byte & mask) === 0) {
      this.#bytes[index >> 3] = byte | mask;
      this.#setCount++;
    }
  }

  clear(index: number): void {
    this.#check(index);
    const mask = 0x80 >> (index & 7);
    const byte = this.#bytes[index >> 3]!;
    if ((byte & mask) !== 0) {
      this.#bytes[index >> 3] = byte & ~mask;
      this.#setCount--;
    }
  }

  /** Number of set bits, O(1). */
  count(): number {
    return this.#setCount;
  }

  hasAll(): boolean {
    return this.#setCount === this.length;
  }

  hasNone(): boolean {
    return this.#setCount === 0;
  }

  /** The wire form (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  clone(): Bitfield {
    const copy = new Bitfield(this.length);
    copy.#bytes.set(this.#bytes);
    copy.#setCount = this.#setCount;
    return copy;
  }

  /**
   * Calls `visit` for each set bit in ascending order. Skips zero bytes, so a sparse bitfield costs
   * O(length/8 + set bits).
   */
  forEachSet(visit: (index: number) => void): void {
    const bytes = this.#bytes;
    for (let byteIndex = 0; byteIndex < bytes.length; byteIndex++) {
      const byte = bytes[byteIndex]!;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((byte & (0x80 >> bit)) !== 0) visit(byteIndex * 8 + bit);
      }
    }
  }

  #check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new BitfieldError(
        'BITFIELD_INDEX_OUT_OF_RANGE',
        `index ${index} is outside a bitfield of ${this.length} bits`,
      );
    }
  }
}
