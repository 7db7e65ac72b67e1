/**
 * The payload of a received PIECE message (BEP 3) as views over the chunks it arrived in. The consumer copies it
 * once, straight into its piece buffer, so a block is never assembled into an intermediate buffer.
 */
import type { BlockPayload } from './message.js';
import { WireError } from './wire-error.js';

export class BlockSlices implements BlockPayload {
  readonly length: number;
  private readonly first: Uint8Array;
  /** The views after `first` when the block straddles chunks; null in the common one-chunk case. */
  private readonly rest: readonly Uint8Array[] | null;

  constructor(length: number, first: Uint8Array, rest: readonly Uint8Array[] | null) {
    this.length = length;
    this.first = first;
    this.rest = rest;
  }

  copyTo(target: Uint8Array, targetOffset: number): void {
    if (!Number.isInteger(targetOffset) || targetOffset < 0 || targetOffset + this.length > target.length) {
      throw new WireError(
        'WIRE_BAD_ARGUMENT',
        `a ${this.length}-byte block does not fit at offset ${targetOffset} of a ${target.length}-byte buffer`,
      );
    }
    target.set(this.first, targetOffset);
    if (this.rest === null) return;
    let at = targetOffset + this.first.length;
    for (const slice of this.rest) {
      target.set(slice, at);
      at += slice.length;
    }
  }

  bytes(): Uint8Array {
    if (this.rest === null) return this.first;
    const out = new Uint8Array(this.length);
    this.copyTo(out, 0);
    return out;
  }
}
