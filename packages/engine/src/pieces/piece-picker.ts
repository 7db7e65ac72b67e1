/**
 * The piece picker (BEP 3 leaves the policy to the client; this is libtorrent's and the BitTorrent paper's):
 * decides which blocks to request from a peer. Order: higher piece priority first; within a priority, pieces
 * already started (finish what is started, so pieces complete and can be shared), then untouched pieces
 * rarest first with seeded random tie-breaks — or random pieces while fewer than `randomFirstPieces` are had
 * (a rare piece is slow to get; any piece is soon tradeable), or by index in sequential mode. Time-critical
 * pieces (a stream's read-ahead, libtorrent's `set_piece_deadline`) come before all of that, most urgent first,
 * and a stalled one is also requested from a second peer. Endgame hands out duplicate requests for the last
 * blocks and reports whom to cancel when one arrives. Pure: plain data in, decisions out.
 *
 * Cost of a pick: O(blocks picked + pieces examined + open partial pieces · log), where pieces examined are
 * the untouched pieces passed over because the peer lacks them (plus the empty availability buckets, at most
 * the highest availability per priority level); there is no scan over all pieces. Availability and priority
 * updates are O(1) per piece. Endgame picks cost O(blocks of pieces in flight).
 */
import { BLOCK_SIZE } from '../indices.js';
import type { Random } from '../platform/random.js';
import { Bitfield } from './bitfield.js';
import type { BlockRequest, PeerKey } from './block-request.js';
import { endgameCandidates } from './endgame.js';
import { PiecePickerError } from './errors.js';
import { PartialPiece } from './partial-piece.js';
import { MAX_PRIORITY, PieceBuckets } from './piece-buckets.js';
import { PieceLayout } from './piece-layout.js';

export interface PiecePickerOptions {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
  /** Seeded in tests; drives the random first pieces and rarest-first tie-breaks. */
  random: Random;
  /** Pick random pieces (ignoring rarity) until this many are had. Default 4. */
  randomFirstPieces?: number;
  /**
   * Piece extent affinity (libtorrent's piece_extent_affinity): among equally rare pieces, the rest of the
   * extent of this many bytes holding the last piece started comes before a piece elsewhere, lowest first, so
   * files are written in runs instead of at random places (one open file and one disk region at a time, not
   * one per piece). Default 4 MiB; 0 turns it off. No effect when a piece is as large as an extent.
   */
  extentBytes?: number;
}

export interface PickOptions {
  /** BEP 6: while the peer chokes us, only these pieces may be requested. */
  fastAllowed?: ReadonlySet<number>;
  /** Only blocks of pieces already started: piece memory is at its budget, so no new piece may begin. */
  startedOnly?: boolean;
}

/** What `blockReceived` decided about an arriving block. */
export interface BlockReceipt {
  /** False for a duplicate, a block nobody requested, or a piece we already have: drop the data. */
  accepted: boolean;
  /** Every block of the piece is now in: hash it, then call `pieceVerified` or `pieceFailed`. */
  pieceComplete: boolean;
  /** Peers that also had this block requested (endgame): send them CANCEL. */
  otherRequesters: readonly PeerKey[];
}

const DEFAULT_RANDOM_FIRST_PIECES = 4;
const DEFAULT_EXTENT_BYTES = 4 * 1024 * 1024;
/** Bound on the time-critical list (the caller's read-ahead windows of all streams together). */
export const MAX_CRITICAL_PIECES = 4096;
/** A stalled critical block is requested from at most this many peers at once. */
const MAX_CRITICAL_REQUESTERS = 2;
const NOT_ACCEPTED: Readonly<BlockReceipt> = Object.freeze({
  accepted: false,
  pieceComplete: false,
  otherRequesters: Object.freeze([]),
});

type HasPiece = (piece: number) => boolean;

export class PiecePicker {
  readonly #layout: PieceLayout;
  readonly #randomFirstPieces: number;
  /** Pieces per affinity extent; 1 when extent affinity is off. */
  readonly #piecesPerExtent: number;
  /** The piece started last: its extent is finished first among equally rare pieces. */
  #lastStarted = -1;
  readonly #have: Bitfield;
  /** Peers having each piece, from bitfields and HAVEs; HAVE ALL peers are counted once in `#seeds`. */
  readonly #availability: Int32Array;
  #seeds = 0;
  readonly #priority: Uint8Array;
  readonly #untouched: PieceBuckets;
  readonly #partials = new Map<number, PartialPiece>();
  /** Partial pieces that still have a free block. */
  readonly #openPartials = new Set<number>();
  /** Pieces with priority > 0 that we do not have. */
  #wantedMissing: number;
  #sequential = false;
  /** No untouched piece lies below this index (sequential mode scans from here). */
  #sequentialCursor = 0;
  /** Time-critical pieces, most urgent first; `#stalled` ones may have their blocks requested twice. */
  #critical: readonly number[] = [];
  #stalled: ReadonlySet<number> = new Set();
  /**
   * Peers whose last endgame scan found nothing to duplicate, since which no block was requested or aborted and
   * no availability or priority changed: nothing can have appeared for them, so the scan (O(blocks in flight),
   * once per block received in endgame) is skipped. Cleared by anything that may create a candidate.
   */
  readonly #noEndgameCandidates = new Set<PeerKey>();
  /** Scratch for `#takeBlocks`: the block numbers taken from one piece, reused rather than allocated per pick. */
  readonly #takenBlocks: number[] = [];

  constructor(options: PiecePickerOptions) {
    this.#layout = new PieceLayout(options.pieceCount, options.pieceLength, options.totalLength);
    const pieceCount = options.pieceCount;
    this.#randomFirstPieces = options.randomFirstPieces ?? DEFAULT_RANDOM_FIRST_PIECES;
    const extentBytes = options.extentBytes ?? DEFAULT_EXTENT_BYTES;
    this.#piecesPerExtent = Math.max(1, Math.floor(extentBytes / Math.max(1, options.pieceLength)));
    this.#have = new Bitfield(pieceCount);
    this.#availability = new Int32Array(pieceCount);
    this.#priority = new Uint8Array(pieceCount).fill(1);
    this.#untouched = new PieceBuckets(pieceCount, options.random);
    for (let piece = 0; piece < pieceCount; piece++) this.#untouched.insert(piece, 1, 0);
    this.#wantedMissing = pieceCount;
  }

  get pieceCount(): number {
    return this.#layout.pieceCount;
  }

  // ---- what we have ----

  have(piece: number): boolean {
    this.#layout.checkPiece(piece);
    return this.#have.get(piece);
  }

  get haveCount(): number {
    return this.#have.count();
  }

  /** Live view of the pieces we have. Do not modify it: use `pieceVerified` / `pieceFailed`. */
  get haveBitfield(): Bitfield {
    return this.#have;
  }

  /**
   * Bytes of the pieces of priority > 0, and of those we have: the measure of progress when files are skipped
   * (libtorrent's total_wanted / total_wanted_done). O(pieces): for status calls, not per block.
   */
  wantedBytes(): { wanted: number; had: number } {
    let wanted = 0;
    let had = 0;
    for (let piece = 0; piece < this.pieceCount; piece++) {
      if (this.#priority[piece] === 0) continue;
      const size = this.#layout.pieceSize(piece);
      wanted += size;
      if (this.#have.get(piece)) had += size;
    }
    return { wanted, had };
  }

  /** True when every piece of priority > 0 is had. */
  isComplete(): boolean {
    return this.#wantedMissing === 0;
  }

  /** The piece passed its hash check and is on disk (or was found so at startup). Frees its block state. */
  pieceVerified(piece: number): void {
    this.#layout.checkPiece(piece);
    if (this.#have.get(piece)) return;
    this.#have.set(piece);
    if (this.#priority[piece]! > 0) this.#wantedMissing--;
    this.#dropPartial(piece);
    this.#untouched.remove(piece);
  }

  /** The piece failed its hash check (or a recheck): every block goes back to "none" and the piece is missing. */
  pieceFailed(piece: number): void {
    this.#layout.checkPiece(piece);
    if (this.#have.get(piece)) {
      this.#have.clear(piece);
      if (this.#priority[piece]! > 0) this.#wantedMissing++;
    }
    this.#dropPartial(piece);
    this.#fileIfUntouchedAndWanted(piece);
    this.#noEndgameCandidates.clear();
  }

  /** We want the piece: not had, priority above 0. */
  wants(piece: number): boolean {
    return !this.have(piece) && this.#priority[piece]! > 0;
  }

  // ---- availability ----

  /** @throws PiecePickerError `PICKER_BITFIELD_LENGTH` when the bitfield is not one bit per piece. */
  addPeerBitfield(bitfield: Bitfield): void {
    this.#checkBitfield(bitfield);
    bitfield.forEachSet((piece) => this.#changeAvailability(piece, 1));
    this.#noEndgameCandidates.clear();
  }

  /** Undoes `addPeerBitfield` (and the peer's HAVEs, if the caller folded them into this bitfield). */
  removePeerBitfield(bitfield: Bitfield): void {
    this.#checkBitfield(bitfield);
    bitfield.forEachSet((piece) => this.#changeAvailability(piece, -1));
  }

  addPeerHave(piece: number): void {
    this.#layout.checkPiece(piece);
    this.#changeAvailability(piece, 1);
    this.#noEndgameCandidates.clear();
  }

  removePeerHave(piece: number): void {
    this.#layout.checkPiece(piece);
    this.#changeAvailability(piece, -1);
  }

  /** A peer that has everything (BEP 6 HAVE ALL, or a full bitfield the caller chose to count this way). */
  addSeed(): void {
    this.#seeds++;
    this.#noEndgameCandidates.clear();
  }

  removeSeed(): void {
    if (this.#seeds > 0) this.#seeds--;
  }

  /** How many connected peers have the piece, seeds included. */
  availability(piece: number): number {
    this.#layout.checkPiece(piece);
    return this.#availability[piece]! + this.#seeds;
  }

  // ---- priorities ----

  /**
   * 0 = do not download; 1..7, higher first (file selection, streaming deadlines).
   * @throws PiecePickerError `PICKER_BAD_PRIORITY` for anything but an integer 0..7.
   */
  setPiecePriority(piece: number, priority: number): void {
    this.#layout.checkPiece(piece);
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new PiecePickerError('PICKER_BAD_PRIORITY', `priority must be an integer 0..7, got ${priority}`);
    }
    const previous = this.#priority[piece]!;
    if (previous === priority) return;
    this.#priority[piece] = priority;
    this.#noEndgameCandidates.clear();
    if (!this.#have.get(piece)) {
      if (previous === 0) this.#wantedMissing++;
      if (priority === 0) this.#wantedMissing--;
    }
    if (priority === 0) this.#untouched.remove(piece);
    else if (this.#untouched.has(piece)) this.#untouched.update(piece, priority, this.#availability[piece]!);
    else this.#fileIfUntouchedAndWanted(piece);
  }

  /** Whether `has` (a peer's pieces, or 'all' for a seed) holds a piece we want and lack: we are interested. */
  wantsAnyOf(has: Bitfield | 'all'): boolean {
    if (this.#wantedMissing === 0) return false;
    if (has === 'all') return true;
    for (let piece = 0; piece < this.pieceCount; piece++) {
      if (has.get(piece) && !this.#have.get(piece) && this.#priority[piece]! > 0) return true;
    }
    return false;
  }

  piecePriority(piece: number): number {
    this.#layout.checkPiece(piece);
    return this.#priority[piece]!;
  }

  /** Sequential mode: within a priority, start pieces by ascending index instead of rarest first. */
  setSequential(on: boolean): void {
    this.#sequential = on;
  }

  /**
   * Time-critical pieces (a stream's read-ahead), most urgent first: picked before every other piece, whatever
   * their priority (0 too) and rarity. Blocks of a `stalled` piece already requested from one peer may be
   * requested from a second (like endgame, for that piece only). Replaces the previous list; had pieces in it
   * are skipped. Pass `[]` to clear.
   * @throws PiecePickerError `PICKER_PIECE_OUT_OF_RANGE` for a bad index, `PICKER_TOO_MANY_CRITICAL` for a
   * list longer than `MAX_CRITICAL_PIECES`.
   */
  setCriticalPieces(pieces: readonly number[], stalled: readonly number[] = []): void {
    if (pieces.length > MAX_CRITICAL_PIECES) {
      throw new PiecePickerError(
        'PICKER_TOO_MANY_CRITICAL',
        `${pieces.length} time-critical pieces, more than ${MAX_CRITICAL_PIECES}`,
      );
    }
    for (const piece of pieces) this.#layout.checkPiece(piece);
    for (const piece of stalled) this.#layout.checkPiece(piece);
    this.#critical = [...pieces];
    this.#stalled = new Set(stalled);
  }

  /** The time-critical pieces not yet had, most urgent first. */
  criticalPieces(): number[] {
    return this.#critical.filter((piece) => !this.#have.get(piece));
  }

  // ---- picking ----

  /**
   * Picks up to `maxBlocks` free blocks that the peer has and marks them requested by `peer`. Returns fewer
   * (possibly none) when nothing suitable is free; in endgame use `pickEndgameBlocks`.
   */
  pickBlocks(
    peerHas: Bitfield | 'all',
    maxBlocks: number,
    peer: PeerKey,
    options?: PickOptions,
  ): BlockRequest[] {
    const picked: BlockRequest[] = [];
    const limit = Math.floor(maxBlocks);
    if (!(limit > 0)) return picked;
    const hasPiece = this.#hasPieceFunction(peerHas);
    const allowed = options?.fastAllowed;
    if (allowed !== undefined) {
      const candidates = [...allowed].filter(
        (piece) =>
          Number.isInteger(piece) &&
          piece >= 0 &&
          piece < this.pieceCount &&
          hasPiece(piece) &&
          this.#priority[piece]! > 0 &&
          (this.#openPartials.has(piece) || (!options?.startedOnly && this.#untouched.has(piece))),
      );
      candidates.sort(this.#compareStartedFirst);
      for (const piece of candidates) {
        if (picked.length >= limit) break;
        this.#takeBlocks(this.#partials.get(piece) ?? this.#start(piece), limit, peer, picked);
      }
      return picked;
    }

    if (this.#critical.length > 0 && !options?.startedOnly) this.#pickCritical(hasPiece, limit, peer, picked);
    const partials = [...this.#openPartials].filter((piece) => this.#priority[piece]! > 0 && hasPiece(piece));
    partials.sort(this.#compareStartedFirst);
    let nextPartial = 0;
    for (let priority = MAX_PRIORITY; priority >= 1 && picked.length < limit; priority--) {
      while (
        nextPartial < partials.length &&
        this.#priority[partials[nextPartial]!] === priority &&
        picked.length < limit
      ) {
        this.#takeBlocks(this.#partials.get(partials[nextPartial]!)!, limit, peer, picked);
        nextPartial++;
      }
      if (picked.length < limit && !options?.startedOnly && this.#untouched.levelSize(priority) > 0) {
        this.#pickUntouched(priority, hasPiece, limit, peer, picked);
      }
    }
    return picked;
  }

  /**
   * Every block of every wanted missing piece is requested or received (and something is still missing):
   * time to ask other peers for the blocks in flight too.
   */
  isEndgame(): boolean {
    if (this.#wantedMissing === 0 || this.#untouched.size > 0) return false;
    for (const piece of this.#openPartials) if (this.#priority[piece]! > 0) return false;
    return true;
  }

  /**
   * Endgame: blocks requested by others (not by `peer`), not received, that `peer` has; at most `maxBlocks`,
   * preferring blocks with the fewest requesters. Marks `peer` as a requester too.
   */
  pickEndgameBlocks(peerHas: Bitfield | 'all', maxBlocks: number, peer: PeerKey): BlockRequest[] {
    const picked: BlockRequest[] = [];
    const limit = Math.floor(maxBlocks);
    if (!(limit > 0) || this.#noEndgameCandidates.has(peer)) return picked;
    const hasPiece = this.#hasPieceFunction(peerHas);
    const priorityOf = (piece: number) => this.#priority[piece]!;
    const candidates = endgameCandidates(this.#partials.values(), peer, limit, (piece) =>
      priorityOf(piece) > 0 && hasPiece(piece) ? priorityOf(piece) : 0,
    );
    if (candidates.length === 0) this.#noEndgameCandidates.add(peer);
    else this.#noEndgameCandidates.clear();
    for (const { partial, block } of candidates) {
      partial.addRequester(block, peer);
      picked.push(this.#request(partial.piece, block));
    }
    return picked;
  }

  // ---- block state ----

  /**
   * A block arrived from `peer`. Accepted when the block is requested (normally by `peer`; a late or unasked
   * copy of a block someone requested is accepted too). Lenient about hostile input: a piece or block out of
   * range is simply not accepted.
   */
  blockReceived(piece: number, block: number, peer: PeerKey): BlockReceipt {
    if (!this.#isBlockInRange(piece, block) || this.#have.get(piece)) return NOT_ACCEPTED;
    const partial = this.#partials.get(piece);
    const others = partial?.receive(block, peer);
    if (partial === undefined || others === undefined) return NOT_ACCEPTED;
    return { accepted: true, pieceComplete: partial.isComplete(), otherRequesters: others };
  }

  /**
   * `peer`'s request for the block is gone (choke, reject, timeout, disconnect). When nobody else has it
   * requested the block is free again. Out-of-range or unknown requests are ignored.
   */
  requestAborted(piece: number, block: number, peer: PeerKey): void {
    if (!this.#isBlockInRange(piece, block)) return;
    const partial = this.#partials.get(piece);
    if (partial === undefined) return;
    partial.abort(block, peer);
    this.#noEndgameCandidates.clear();
    if (partial.isUntouched()) {
      this.#dropPartial(piece);
      this.#fileIfUntouchedAndWanted(piece);
    } else if (partial.noneCount > 0) {
      this.#openPartials.add(piece);
    }
  }

  /** Aborts every request `peer` has outstanding (it disconnected). Returns how many were aborted. */
  abortPeerRequests(peer: PeerKey): number {
    let aborted = 0;
    for (const partial of [...this.#partials.values()]) {
      for (const block of partial.blocksRequestedBy(peer)) {
        this.requestAborted(partial.piece, block, peer);
        aborted++;
      }
    }
    return aborted;
  }

  /** The requesters of a block in flight (empty when the block is free, received, or its piece not started). */
  blockRequesters(piece: number, block: number): readonly PeerKey[] {
    if (!this.#isBlockInRange(piece, block)) return [];
    return this.#partials.get(piece)?.requesters(block) ?? [];
  }

  // ---- layout ----

  blocksInPiece(piece: number): number {
    return this.#layout.blocksInPiece(piece);
  }

  blockLength(piece: number, block: number): number {
    return this.#layout.blockLength(piece, block);
  }

  pieceSize(piece: number): number {
    return this.#layout.pieceSize(piece);
  }

  /** Pieces with block state (some block requested or received) that are not yet had, ascending. */
  partialPieces(): number[] {
    return [...this.#partials.keys()].sort((a, b) => a - b);
  }

  // ---- internals ----

  /** Priority first, then sequential index or rarity, then index; used for partial and allowed-fast pieces. */
  readonly #compareStartedFirst = (a: number, b: number): number =>
    this.#priority[b]! - this.#priority[a]! ||
    Number(this.#partials.has(b)) - Number(this.#partials.has(a)) ||
    (this.#sequential ? 0 : this.#availability[a]! - this.#availability[b]!) ||
    a - b;

  #pickUntouched(
    priority: number,
    hasPiece: HasPiece,
    limit: number,
    peer: PeerKey,
    picked: BlockRequest[],
  ): void {
    if (this.#sequential) {
      while (this.#sequentialCursor < this.pieceCount && !this.#untouched.has(this.#sequentialCursor)) {
        this.#sequentialCursor++;
      }
      for (let piece = this.#sequentialCursor; piece < this.pieceCount && picked.length < limit; piece++) {
        if (this.#untouched.has(piece) && this.#priority[piece] === priority && hasPiece(piece)) {
          this.#takeBlocks(this.#start(piece), limit, peer, picked);
        }
      }
    } else if (this.haveCount < this.#randomFirstPieces) {
      while (picked.length < limit) {
        const piece = this.#untouched.findFromRandomStart(priority, hasPiece);
        if (piece < 0) return;
        this.#takeBlocks(this.#start(piece), limit, peer, picked);
      }
    } else {
      let matesStarted: boolean;
      do {
        matesStarted = false;
        this.#untouched.scanRarestFirst(priority, (piece) => {
          if (!hasPiece(piece)) return true;
          while (picked.length < limit) {
            const chosen = this.#extentMate(piece, priority, hasPiece);
            this.#takeBlocks(this.#start(chosen), limit, peer, picked);
            if (chosen === piece) break;
            // Removing a mate can move a piece the scan has not reached behind it: scan again if need be.
            matesStarted = true;
          }
          return picked.length < limit;
        });
      } while (matesStarted && picked.length < limit);
    }
  }

  /**
   * The piece to start instead of `rarest` (the rarest the peer has): the lowest untouched piece of the same
   * priority, no more common, that the peer has, in the extent of the last piece started, else in `rarest`'s own
   * extent; `rarest` itself when there is none.
   */
  #extentMate(rarest: number, priority: number, hasPiece: HasPiece): number {
    if (this.#piecesPerExtent === 1) return rarest;
    const rarity = this.#availability[rarest]!;
    const mate = this.#lowestInExtent(this.#lastStarted, priority, rarity, hasPiece);
    return mate >= 0 ? mate : this.#lowestInExtent(rarest, priority, rarity, hasPiece);
  }

  /** The lowest untouched piece of `priority`, no more common than `rarity`, the peer has, in `anchor`'s extent. */
  #lowestInExtent(anchor: number, priority: number, rarity: number, hasPiece: HasPiece): number {
    if (anchor < 0) return -1;
    const first = anchor - (anchor % this.#piecesPerExtent);
    const end = Math.min(first + this.#piecesPerExtent, this.pieceCount);
    for (let piece = first; piece < end; piece++) {
      if (
        this.#untouched.has(piece) &&
        this.#priority[piece] === priority &&
        this.#availability[piece]! <= rarity &&
        hasPiece(piece)
      ) {
        return piece;
      }
    }
    return -1;
  }

  /** Free blocks of critical pieces in urgency order; for a stalled one, also blocks in flight with one peer. */
  #pickCritical(hasPiece: HasPiece, limit: number, peer: PeerKey, picked: BlockRequest[]): void {
    for (const piece of this.#critical) {
      if (picked.length >= limit) return;
      if (this.#have.get(piece) || !hasPiece(piece)) continue;
      const partial = this.#partials.get(piece);
      if (partial === undefined) this.#takeBlocks(this.#start(piece), limit, peer, picked);
      else if (this.#openPartials.has(piece)) this.#takeBlocks(partial, limit, peer, picked);
      if (!this.#stalled.has(piece) || picked.length >= limit) continue;
      const started = this.#partials.get(piece)!;
      for (const { block } of endgameCandidates([started], peer, limit - picked.length, () => 1)) {
        if (started.requesters(block).length >= MAX_CRITICAL_REQUESTERS) continue;
        started.addRequester(block, peer);
        this.#noEndgameCandidates.clear();
        picked.push(this.#request(piece, block));
      }
    }
  }

  #start(piece: number): PartialPiece {
    this.#untouched.remove(piece);
    this.#lastStarted = piece;
    const partial = new PartialPiece(piece, this.#layout.blocksInPiece(piece));
    this.#partials.set(piece, partial);
    this.#openPartials.add(piece);
    return partial;
  }

  #takeBlocks(partial: PartialPiece, limit: number, peer: PeerKey, picked: BlockRequest[]): void {
    const blocks = this.#takenBlocks;
    blocks.length = 0;
    if (partial.takeFreeBlocks(limit - picked.length, peer, blocks) > 0) this.#noEndgameCandidates.clear();
    for (const block of blocks) picked.push(this.#request(partial.piece, block));
    if (partial.noneCount === 0) this.#openPartials.delete(partial.piece);
  }

  #request(piece: number, block: number): BlockRequest {
    return { piece, block, begin: block * BLOCK_SIZE, length: this.#layout.blockLength(piece, block) };
  }

  #dropPartial(piece: number): void {
    this.#partials.delete(piece);
    this.#openPartials.delete(piece);
  }

  #fileIfUntouchedAndWanted(piece: number): void {
    if (this.#have.get(piece) || this.#priority[piece] === 0 || this.#partials.has(piece)) return;
    this.#untouched.insert(piece, this.#priority[piece]!, this.#availability[piece]!);
    if (piece < this.#sequentialCursor) this.#sequentialCursor = piece;
  }

  #changeAvailability(piece: number, delta: 1 | -1): void {
    const next = this.#availability[piece]! + delta;
    if (next < 0) return; // the caller removed more than it added; never go negative
    this.#availability[piece] = next;
    this.#untouched.update(piece, this.#priority[piece]!, next);
  }

  #hasPieceFunction(peerHas: Bitfield | 'all'): HasPiece {
    if (peerHas === 'all') return () => true;
    this.#checkBitfield(peerHas);
    return (piece) => peerHas.get(piece);
  }

  #checkBitfield(bitfield: Bitfield): void {
    if (bitfield.length !== this.pieceCount) {
      throw new PiecePickerError(
        'PICKER_BITFIELD_LENGTH',
        `bitfield of ${bitfield.length} bits for a torrent of ${this.pieceCount} pieces`,
      );
    }
  }

  #isBlockInRange(piece: number, block: number): boolean {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) return false;
    return Number.isInteger(block) && block >= 0 && block < this.#layout.blocksInPiece(piece);
  }
}
