/**
 * One torrent's resume data: at start, what can be taken from the saved record instead of hashing every piece;
 * while running, when to save a new record. The order that makes it crash-safe: note each file's size and
 * modification time, capture the verified pieces, flush (fsync) the data, and only then hand the record to the
 * store (which writes it durably). A piece is never recorded before its data is on disk, and a write made after
 * the record shows as a newer modification time, so the next start checks that file's unrecorded pieces.
 */
import { equalBytes } from '../bytes.js';
import type { Bitfield } from '../pieces/bitfield.js';
import type { Platform } from '../platform/platform.js';
import { planResume, type ResumePlan, type ResumeTarget } from '../resume/resume-check.js';
import { decodeResumeData, encodeResumeData, type ResumeData } from '../resume/resume-data.js';
import { ResumeError } from '../resume/resume-error.js';
import type { ResumeStore } from '../resume/resume-store.js';
import type { PieceStorage } from '../storage/piece-storage.js';

/** What the start-up found: the `resume` event's payload. */
export interface ResumeOutcome {
  /** True when saved resume data was used; false when every piece was hash-checked. */
  readonly resumed: boolean;
  /** Pieces taken from the resume data without hashing. */
  readonly trustedPieces: number;
  /** Pieces hashed at start (spot checks, files written since the record, or all of them). */
  readonly checkedPieces: number;
  /** Why the resume data was not used (absent when it was, or when no store is configured). */
  readonly reason?: string;
  /** With resume data: the files that changed since it was saved (their pieces were hash-checked). */
  readonly changedFiles?: readonly string[];
}

/** What the start-up check works with. */
export interface RestoreHooks {
  readonly storage: PieceStorage;
  expectedHash(piece: number): Uint8Array;
  /** Takes a piece as verified. */
  adopt(piece: number): void;
  /** Pieces hashed so far by a check. */
  onProgress(checked: number): void;
  readonly signal: AbortSignal;
}

/** A torrent's resume settings, from the session. */
export interface ResumeOptions {
  /** Where resume data is kept; none: every start hash-checks the data. */
  readonly store?: ResumeStore;
  /** Hash-check everything, ignoring saved data (`--recheck`). */
  readonly recheck?: boolean;
  /** Apply the saved file priorities and sequential flag (when the caller did not set its own). */
  readonly restoreSettings?: boolean;
}

export interface ResumeStateOptions extends ResumeTarget, ResumeOptions {
  readonly platform: Platform;
  readonly saveIntervalMs: number;
  /** A save failed (the previous record stays in place). */
  readonly onSaveFailed: (reason: string) => void;
}

export class ResumeState {
  /** The stored copies that decoded, newest first (read by `load`). */
  private records: ResumeData[] = [];
  /** Why stored copies could not be used (none stored, unreadable, not decodable). */
  private loadProblems: string[] = [];
  /** Set once the start-up check finished: only then does the torrent know everything it has. */
  private restored = false;
  private filePriorities: readonly number[] | undefined;
  private sequential = false;
  private dirty = false;
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private saving: Promise<void> = Promise.resolve();
  private saveInFlight = false;

  constructor(private readonly options: ResumeStateOptions) {}

  get key(): string {
    return this.options.info.infoHashHex;
  }

  /**
   * Reads and decodes the stored copies (before the files are opened, so the saved file selection can be
   * applied first). Never rejects: a store that fails counts as no record.
   */
  async load(): Promise<void> {
    const { store } = this.options;
    if (!store || this.options.recheck) return;
    let copies: readonly Uint8Array[];
    try {
      copies = await store.load(this.key);
    } catch (error) {
      this.loadProblems = [`cannot read the resume data: ${messageOf(error)}`];
      return;
    }
    if (copies.length === 0) this.loadProblems = ['no resume data'];
    for (const bytes of copies) {
      try {
        this.records.push(await decodeResumeData(bytes, this.options.platform.hasher));
      } catch (error) {
        this.loadProblems.push(
          error instanceof ResumeError ? `${error.code}: ${error.message}` : messageOf(error),
        );
      }
    }
  }

  /** The file priorities and sequential flag of the newest record for this torrent and folder, to apply. */
  settingsToRestore(): { filePriorities?: readonly number[]; sequential: boolean } | undefined {
    if (this.options.restoreSettings === false) return undefined;
    const { info, savePath } = this.options;
    const record = this.records.find((r) => r.savePath === savePath && equalBytes(r.infoHash, info.infoHash));
    if (!record) return undefined;
    // Priorities for more files than the torrent has would select the wrong ones (missing entries mean 1).
    const priorities = record.filePriorities;
    const fits = priorities !== undefined && priorities.length <= info.files.length;
    return { ...(fits && { filePriorities: priorities }), sequential: record.sequential };
  }

  /** Something worth recording changed (a piece verified, the selection changed). */
  markDirty(): void {
    this.dirty = true;
  }

  noteFilePriorities(priorities: readonly number[]): void {
    this.filePriorities = [...priorities];
    this.dirty = true;
  }

  noteSequential(on: boolean): void {
    this.sequential = on;
    this.dirty = true;
  }

  /** A periodic save is due (checked on the tick). */
  due(now: number): boolean {
    return (
      this.restored &&
      this.options.store !== undefined &&
      this.dirty &&
      !this.saveInFlight &&
      now - this.lastSaveAt >= this.options.saveIntervalMs
    );
  }

  /**
   * Finds what is already had: from the newest saved record that decodes and fits the files as they are now
   * (plus a spot check), or by hashing every piece.
   */
  async restore(hooks: RestoreHooks): Promise<ResumeOutcome> {
    const outcome = await this.findHad(hooks);
    this.restored = !hooks.signal.aborted;
    // To be saved (the torrent saves at once): the metadata and what the check found go on record first.
    this.dirty = true;
    return outcome;
  }

  private async findHad(hooks: RestoreHooks): Promise<ResumeOutcome> {
    const { store } = this.options;
    if (!store) {
      await this.checkPieces(hooks, undefined);
      return { resumed: false, trustedPieces: 0, checkedPieces: this.options.info.pieceCount };
    }
    let reason: string;
    if (this.options.recheck) reason = 'a full check was asked for';
    else {
      const found = await this.findPlan(hooks.storage);
      if ('plan' in found) {
        const { plan } = found;
        const liar = await this.firstFailing(plan.spotCheck, hooks);
        if (liar === undefined && !hooks.signal.aborted) {
          for (let piece = 0; piece < plan.trusted.length; piece++)
            if (plan.trusted.get(piece)) hooks.adopt(piece);
          const toCheck = new Set(plan.check);
          await this.checkPieces(hooks, (piece) => toCheck.has(piece));
          return {
            resumed: true,
            trustedPieces: plan.trusted.count(),
            checkedPieces: plan.check.length + plan.spotCheck.length,
            changedFiles: plan.changedFiles,
          };
        }
        reason = `RESUME_LYING: piece ${liar}, which the resume data claims, fails its hash check`;
      } else reason = found.reason;
    }
    await this.checkPieces(hooks, undefined);
    return { resumed: false, trustedPieces: 0, checkedPieces: this.options.info.pieceCount, reason };
  }

  /** Hash-checks the pieces `only` accepts (all when undefined), adopting each that verifies. */
  private checkPieces(hooks: RestoreHooks, only: ((piece: number) => boolean) | undefined): Promise<void> {
    const hasher = this.options.platform.hasher;
    return hooks.storage.checkExisting(
      hasher,
      hooks.expectedHash,
      hooks.adopt,
      hooks.onProgress,
      hooks.signal,
      only,
    );
  }

  /** The first of `pieces` whose data does not match its hash, if any. */
  private async firstFailing(pieces: readonly number[], hooks: RestoreHooks): Promise<number | undefined> {
    for (const piece of pieces) {
      const ok = await hooks.storage.pieceMatches(
        piece,
        this.options.platform.hasher,
        hooks.expectedHash(piece),
      );
      if (!ok) return piece;
    }
    return undefined;
  }

  /**
   * Saves a record of the picker's verified pieces (captured after the file states, before the flush). Saves run
   * one at a time; a failure is reported through `onSaveFailed` and leaves the previous record in place.
   */
  save(storage: PieceStorage, picker: { readonly haveBitfield: Bitfield }, now: number): Promise<void> {
    const store = this.options.store;
    // Before the start-up check is done, a record would claim less than is had (and lose pieces).
    if (!store || !this.restored) return Promise.resolve();
    this.dirty = false;
    this.lastSaveAt = now;
    this.saveInFlight = true;
    const run = this.saving.then(async () => {
      const files = await storage.fileStates();
      const pieces = picker.haveBitfield.toBytes();
      await storage.flush();
      const bytes = await encodeResumeData(this.record(pieces, files), this.options.platform.hasher);
      await store.save(this.key, bytes);
    });
    this.saving = run.then(
      () => {
        this.saveInFlight = false;
      },
      (error: unknown) => {
        this.saveInFlight = false;
        this.dirty = true;
        this.options.onSaveFailed(messageOf(error));
      },
    );
    return this.saving;
  }

  private record(pieces: Uint8Array, files: ResumeData['files']): ResumeData {
    const { info, savePath } = this.options;
    return {
      infoHash: info.infoHash,
      infoBytes: info.infoBytes,
      savePath,
      pieces,
      files,
      ...(this.filePriorities && { filePriorities: this.filePriorities }),
      sequential: this.sequential,
    };
  }

  private async findPlan(storage: PieceStorage): Promise<{ plan: ResumePlan } | { reason: string }> {
    if (this.records.length === 0) return { reason: this.loadProblems.join('; ') || 'no resume data' };
    const current = await storage.fileStates();
    const reasons = [...this.loadProblems];
    for (const data of this.records) {
      try {
        return { plan: planResume(data, this.options, current, this.options.platform.random) };
      } catch (error) {
        reasons.push(error instanceof ResumeError ? `${error.code}: ${error.message}` : messageOf(error));
      }
    }
    return { reason: reasons.join('; ') };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
