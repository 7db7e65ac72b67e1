/**
 * The untouched pieces the picker may start, bucketed by priority (1..7) and availability (how many peers have
 * the piece). Iterating priority levels downwards and availabilities upwards yields pieces in pick order,
 * rarest first, without sorting. Each piece enters its bucket at a random position (an "inside-out" shuffle
 * drawn from the seeded Random), so equally rare pieces come out in a random but reproducible order.
 *
 * Cost: insert, remove and move are O(1); a scan costs O(pieces examined + buckets of the level), and a level
 * has at most (highest availability + 1) buckets. Pieces we have, pieces of priority 0, and pieces already
 * started (the picker keeps those as partial pieces) are not in any bucket.
 */
import { type Random, randomInt } from '../platform/random.js';

export const MAX_PRIORITY = 7;

export class PieceBuckets {
  /** `#buckets[priority][availability]` holds piece numbers in random order; index 0 is unused. */
  readonly #buckets: number[][][] = Array.from({ length: MAX_PRIORITY + 1 }, () => []);
  /** Position of a piece inside its bucket, or -1 when the piece is in no bucket. */
  readonly #position: Int32Array;
  readonly #priority: Uint8Array;
  readonly #availability: Int32Array;
  readonly #levelSize = new Array<number>(MAX_PRIORITY + 1).fill(0);
  readonly #random: Random;
  #size = 0;

  constructor(pieceCount: number, random: Random) {
    this.#position = new Int32Array(pieceCount).fill(-1);
    this.#priority = new Uint8Array(pieceCount);
    this.#availability = new Int32Array(pieceCount);
    this.#random = random;
  }

  /** Number of bucketed pieces. */
  get size(): number {
    return this.#size;
  }

  /** Number of bucketed pieces of one priority. */
  levelSize(priority: number): number {
    return this.#levelSize[priority] ?? 0;
  }

  has(piece: number): boolean {
    return this.#position[piece]! >= 0;
  }

  insert(piece: number, priority: number, availability: number): void {
    if (this.has(piece)) this.remove(piece);
    const level = this.#buckets[priority]!;
    while (level.length <= availability) level.push([]);
    const bucket = level[availability]!;
    const at = randomInt(this.#random, bucket.length + 1);
    if (at === bucket.length) {
      bucket.push(piece);
    } else {
      const displaced = bucket[at]!;
      bucket.push(displaced);
      this.#position[displaced] = bucket.length - 1;
      bucket[at] = piece;
    }
    this.#position[piece] = at;
    this.#priority[piece] = priority;
    this.#availability[piece] = availability;
    this.#levelSize[priority]!++;
    this.#size++;
  }

  remove(piece: number): void {
    const at = this.#position[piece]!;
    if (at < 0) return;
    const priority = this.#priority[piece]!;
    const bucket = this.#buckets[priority]![this.#availability[piece]!]!;
    const last = bucket.pop()!;
    if (last !== piece) {
      bucket[at] = last;
      this.#position[last] = at;
    }
    this.#position[piece] = -1;
    this.#levelSize[priority]!--;
    this.#size--;
  }

  /** Re-files a bucketed piece under a new priority or availability; does nothing for an unbucketed piece. */
  update(piece: number, priority: number, availability: number): void {
    if (!this.has(piece)) return;
    if (this.#priority[piece] === priority && this.#availability[piece] === availability) return;
    this.remove(piece);
    this.insert(piece, priority, availability);
  }

  /**
   * Visits the pieces of one priority level, rarest first, until `visit` returns false. `visit` may remove the
   * piece it is given (the picker starts it), but must not insert.
   */
  scanRarestFirst(priority: number, visit: (piece: number) => boolean): void {
    for (const bucket of this.#buckets[priority]!) {
      let index = 0;
      while (index < bucket.length) {
        const piece = bucket[index]!;
        if (!visit(piece)) return;
        // A removed piece was replaced by the bucket's last one: look at the same index again.
        if (bucket[index] === piece) index++;
      }
    }
  }

  /**
   * The first piece of one priority level, starting at a uniformly random place and ignoring rarity, for
   * which `accept` is true; -1 if none. Used for the random first pieces.
   */
  findFromRandomStart(priority: number, accept: (piece: number) => boolean): number {
    const size = this.levelSize(priority);
    if (size === 0) return -1;
    const level = this.#buckets[priority]!;
    let skip = randomInt(this.#random, size);
    let bucketIndex = 0;
    while (skip >= level[bucketIndex]!.length) {
      skip -= level[bucketIndex]!.length;
      bucketIndex++;
    }
    let index = skip;
    for (let examined = 0; examined < size; examined++) {
      while (index >= level[bucketIndex]!.length) {
        bucketIndex = (bucketIndex + 1) % level.length;
        index = 0;
      }
      const piece = level[bucketIndex]![index]!;
      if (accept(piece)) return piece;
      index++;
    }
    return -1;
  }
}
