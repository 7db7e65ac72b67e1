/**
 * SHA-1 as the engine sees it. Asynchronous so a platform can hash off the main thread (Node uses worker
 * threads). The hasher must not keep or modify `data` after the promise settles.
 */
export interface Hasher {
  sha1(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: a zeroed buffer the hasher can read without copying (Node: shared memory its workers see). The
   * engine assembles pieces in such buffers when offered.
   */
  allocate?(size: number): Uint8Array;
}
