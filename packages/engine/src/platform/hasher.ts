/**
 * SHA-1 as the engine sees it. Asynchronous so a platform can hash off the main thread (Node uses worker
 * threads). The hasher must not keep or modify `data` after the promise settles.
 */
export interface Hasher {
  sha1(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: SHA-1 of bytes the hasher may take over instead of copying them (Node moves the buffer to a worker
   * thread and back: a copy of every piece was a tenth of a download's CPU time). The caller gives `data` up (it
   * may be left detached, with length 0) and goes on with the returned `data`, which holds the same bytes.
   */
  sha1Moving?(data: Uint8Array): Promise<MovedDigest>;
  /**
   * Optional hint: pieces will be hashed soon, so start now whatever hashing needs (Node starts its worker
   * threads, which took up to 250 ms on a busy machine, while a download's first pieces waited).
   */
  prepare?(): void;
}

/** A digest, and the bytes it was computed over, handed back by the hasher. */
export interface MovedDigest {
  readonly digest: Uint8Array;
  readonly data: Uint8Array;
}

/** SHA-1 of bytes the caller gives up: moved when the hasher can, hashed in place otherwise. */
export function sha1Moving(hasher: Hasher, data: Uint8Array): Promise<MovedDigest> {
  if (hasher.sha1Moving) return hasher.sha1Moving(data);
  return hasher.sha1(data).then((digest) => ({ digest, data }));
}
