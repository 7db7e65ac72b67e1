/**
 * The received-but-unparsed bytes of one peer connection (BEP 3 stream), held as the list of chunks they arrived
 * in plus a read cursor. Reads take views where the bytes sit in one chunk and copy only what straddles chunks,
 * so framing a stream never concatenates or re-slices it. Pushed chunks are borrowed: the platform may reuse
 * them once `push`'s caller returns, so `ownUnread` copies what is still unread (at most the message being
 * assembled) into memory the queue owns before the caller lets go.
 */
import { BlockSlices } from './block-slices.js';

export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the chunk the cursor is in; chunks before it are consumed and dropped by `compact`. */
  private head = 0;
  /** Read position inside `chunks[head]`; always below its length while bytes are buffered. */
  private offset = 0;
  private size = 0;
  /** While set, incoming bytes are copied into this buffer until it is full (see `coalesce`). */
  private assembly: Uint8Array | null = null;
  private assemblyFilled = 0;
  /** Chunks from this index on are borrowed from the caller of `push`; those before it are the queue's own. */
  private borrowedFrom = 0;

  /** Unread bytes. */
  get length(): number {
    return this.size;
  }

  /** Chunks holding unread bytes. */
  get chunkCount(): number {
    return this.chunks.length - this.head;
  }

  push(chunk: Uint8Array): void {
    let rest = chunk;
    const assembly = this.assembly;
    if (assembly !== null) {
      const taken = Math.min(rest.length, assembly.length - this.assemblyFilled);
      assembly.set(taken === rest.length ? rest : rest.subarray(0, taken), this.assemblyFilled);
      this.assemblyFilled += taken;
      this.size += taken;
      // Nothing is queued behind the assembly while it fills, so it is the last chunk; a longer view of the same
      // buffer keeps the cursor valid.
      this.chunks[this.chunks.length - 1] = assembly.subarray(0, this.assemblyFilled);
      if (this.assemblyFilled === assembly.length) this.assembly = null;
      if (taken === rest.length) return;
      rest = rest.subarray(taken);
    }
    if (rest.length === 0) return;
    this.chunks.push(rest);
    this.size += rest.length;
  }

  /** The next byte, not consumed. Requires `length >= 1`. */
  peekUint8(): number {
    return this.chunks[this.head]![this.offset]!;
  }

  /** The byte `index` bytes past the cursor, not consumed. Requires `length > index`. */
  peekUint8At(index: number): number {
    let position = this.offset + index;
    let i = this.head;
    let chunk = this.chunks[i]!;
    while (position >= chunk.length) {
      position -= chunk.length;
      i++;
      chunk = this.chunks[i]!;
    }
    return chunk[position]!;
  }

  /** Requires `length >= 1`. */
  readUint8(): number {
    const chunk = this.chunks[this.head]!;
    const value = chunk[this.offset]!;
    this.advanceInHead(chunk, 1);
    return value;
  }

  /** A big-endian uint16. Requires `length >= 2`. */
  readUint16(): number {
    const high = this.readUint8();
    return (high << 8) | this.readUint8();
  }

  /** A big-endian uint32. Requires `length >= 4`. */
  readUint32(): number {
    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    if (chunk.length - at >= 4) {
      const value =
        ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) >>> 0;
      this.advanceInHead(chunk, 4);
      return value;
    }
    const b0 = this.readUint8();
    const b1 = this.readUint8();
    const b2 = this.readUint8();
    const b3 = this.readUint8();
    return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  }

  /** Consumes `count` bytes. Requires `length >= count`. */
  skip(count: number): void {
    let remaining = count;
    while (remaining > 0) {
      const chunk = this.chunks[this.head]!;
      const step = Math.min(remaining, chunk.length - this.offset);
      this.advanceInHead(chunk, step);
      remaining -= step;
    }
  }

  /** The next `count` bytes: a view when they sit in one chunk, else a copy. Requires `length >= count`. */
  takeBytes(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    if (chunk.length - at >= count) {
      this.advanceInHead(chunk, count);
      return chunk.subarray(at, at + count);
    }
    const out = new Uint8Array(count);
    let written = 0;
    while (written < count) {
      const current = this.chunks[this.head]!;
      const start = this.offset;
      const step = Math.min(count - written, current.length - start);
      out.set(current.subarray(start, start + step), written);
      this.advanceInHead(current, step);
      written += step;
    }
    return out;
  }

  /** The next `count` bytes as views over their chunks, without copying. Requires `length >= count`. */
  takeBlock(count: number): BlockSlices {
    if (count === 0) return new BlockSlices(0, new Uint8Array(0), null);
    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    const inHead = Math.min(count, chunk.length - at);
    const first = chunk.subarray(at, at + inHead);
    this.advanceInHead(chunk, inHead);
    if (inHead === count) return new BlockSlices(count, first, null);
    const rest: Uint8Array[] = [];
    let remaining = count - inHead;
    while (remaining > 0) {
      const current = this.chunks[this.head]!;
      const step = Math.min(remaining, current.length);
      rest.push(step === current.length ? current : current.subarray(0, step));
      this.advanceInHead(current, step);
      remaining -= step;
    }
    return new BlockSlices(count, first, rest);
  }

  /**
   * Gathers the unread bytes into one buffer of `total` bytes (more than are buffered) and copies the bytes that
   * arrive next into it until it is full. A peer dribbling a long message in tiny chunks then costs one buffer, not
   * one chunk object per byte, and the copying stays linear.
   */
  coalesce(total: number): void {
    const assembly = new Uint8Array(total);
    const buffered = this.size;
    let written = 0;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const view = i === this.head ? chunk.subarray(this.offset) : chunk;
      assembly.set(view, written);
      written += view.length;
    }
    this.chunks = [assembly.subarray(0, buffered)];
    this.head = 0;
    this.offset = 0;
    this.assembly = assembly;
    this.assemblyFilled = buffered;
    this.borrowedFrom = 1;
  }

  /**
   * Copies the unread bytes of borrowed chunks into one owned buffer, so the queue no longer refers to memory
   * the platform may reuse. Call after consuming what `push` brought; only bytes pushed since the last call are
   * copied, so a peer dribbling bytes costs linear copying.
   */
  ownUnread(): void {
    const chunks = this.chunks;
    const from = Math.max(this.borrowedFrom, this.head);
    if (from < chunks.length) {
      let total = 0;
      for (let i = from; i < chunks.length; i++) total += chunks[i]!.length;
      if (from === this.head) total -= this.offset;
      const owned = new Uint8Array(total);
      let written = 0;
      for (let i = from; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        const view = i === this.head ? chunk.subarray(this.offset) : chunk;
        owned.set(view, written);
        written += view.length;
      }
      if (from === this.head) this.offset = 0;
      chunks.length = from;
      chunks.push(owned);
    }
    this.borrowedFrom = chunks.length;
  }

  /** Drops consumed chunks so the queue does not keep them alive. */
  compact(): void {
    if (this.head === 0) return;
    if (this.head === this.chunks.length) this.chunks.length = 0;
    else this.chunks.splice(0, this.head);
    this.borrowedFrom = Math.max(0, this.borrowedFrom - this.head);
    this.head = 0;
  }

  /** Forgets everything buffered. */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.size = 0;
    this.assembly = null;
    this.assemblyFilled = 0;
    this.borrowedFrom = 0;
  }

  private advanceInHead(chunk: Uint8Array, count: number): void {
    this.offset += count;
    this.size -= count;
    if (this.offset === chunk.length) {
      this.head++;
      this.offset = 0;
    }
  }
}
