/**
 * A `ResumeStore` in memory, keeping the newest copy and the one before it like the file store does, with hooks
 * for tests: replace what is stored (garbage, a truncated copy) and make saves fail.
 */
import { BitloomError, type ResumeStore } from '@bitloom/engine';

export class MemoryResumeStore implements ResumeStore {
  readonly #copies = new Map<string, Uint8Array[]>();
  #saveFailure: string | undefined;
  /** Saves that completed, for tests that count them. */
  saves = 0;

  async load(key: string): Promise<readonly Uint8Array[]> {
    return (this.#copies.get(key) ?? []).map((bytes) => bytes.slice());
  }

  async save(key: string, bytes: Uint8Array): Promise<void> {
    if (this.#saveFailure !== undefined) {
      throw new BitloomError(this.#saveFailure, `saving resume data for ${key} failed (injected)`);
    }
    const previous = this.#copies.get(key)?.[0];
    this.#copies.set(key, previous ? [bytes.slice(), previous] : [bytes.slice()]);
    this.saves++;
  }

  async remove(key: string): Promise<void> {
    this.#copies.delete(key);
  }

  /** The newest copy, if any. */
  newest(key: string): Uint8Array | undefined {
    return this.#copies.get(key)?.[0]?.slice();
  }

  /** Replaces every stored copy for `key` (newest first). */
  replace(key: string, copies: readonly Uint8Array[]): void {
    this.#copies.set(
      key,
      copies.map((bytes) => bytes.slice()),
    );
  }

  /** Makes every later save reject with a `BitloomError` of this code; null heals. */
  failSavesWith(code: string | null): void {
    this.#saveFailure = code ?? undefined;
  }
}
