/**
 * Where resume data lives: a narrow key → bytes store the session is given (not part of the `Platform`, so a
 * platform without durable storage simply runs without one). Node's is `createFileResumeStore(dir)`; the
 * testkit has one in memory.
 */

export interface ResumeStore {
  /**
   * Every stored copy for `key`, newest first (a file store keeps the previous copy, so a newest copy that turns
   * out to be damaged can be skipped). An empty list when there is none; never rejects for a missing key.
   */
  load(key: string): Promise<readonly Uint8Array[]>;
  /**
   * Replaces the newest copy with `bytes`, durably: when this resolves, a crash (or power loss) leaves either the
   * new copy or the one before it, never a torn mix.
   */
  save(key: string, bytes: Uint8Array): Promise<void>;
  /** Forgets every copy for `key`. */
  remove(key: string): Promise<void>;
}
