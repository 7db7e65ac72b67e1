/** One file of a torrent as storage sees it: sanitised path segments (safe to join) and a length. */
export interface StorageFileSpec {
  /** Path segments below the torrent's root, already sanitised by the metainfo parser. */
  readonly path: readonly string[];
  readonly length: number;
  /** BEP 47 padding file: never created, reads as zeros. */
  readonly padding?: boolean;
  /**
   * Not sized to `length` when created: the file is as long as what was written to it (`length` stays the
   * bound). For the part file, whose slots are used one by one.
   */
  readonly grows?: boolean;
}

/**
 * The files of one torrent. Positions are byte offsets inside one file. The engine maps pieces onto files;
 * this interface only does positional I/O.
 */
export interface TorrentFiles {
  /**
   * Reads exactly `length` bytes; rejects if the file is missing or too short. With `into` (at least `length`
   * bytes) the bytes go into its start and that view is returned, so a caller can reuse one buffer for many reads.
   */
  read(fileIndex: number, position: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Writes all of `data` at `position`, creating the file (and its folders) on first write. */
  write(fileIndex: number, position: number, data: Uint8Array): Promise<void>;
  /**
   * Optional: `write`, taking the bytes over instead of copying them (Node moves the buffer to its writer thread
   * and back: the copy was a tenth of a download's main-thread time, and doubled the memory of pieces being
   * written). The caller gives `data` up (it may be left detached, with length 0) and goes on with the returned
   * bytes, the same ones, once they are written. If the write fails the bytes are lost with it.
   */
  writeMoving?(fileIndex: number, position: number, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: hashes `data` and writes it like `writeMoving` only if its SHA-1 is `sha1`, taking the bytes over
   * and handing them back either way. Node hashes a piece on its writer thread right before writing it: one trip
   * to one thread instead of a trip to a hash worker and another to the writer, and one thread fewer booted (a
   * 1 GiB download: 0.05-0.2 s less CPU, ~15 MiB less RSS). Nothing is written when the digest differs, though
   * the file may have been created.
   */
  writeVerified?(
    fileIndex: number,
    position: number,
    data: Uint8Array,
    sha1: Uint8Array,
  ): Promise<VerifiedWrite>;
  /** Optional hint: writes will follow soon (a download starts), so start now whatever writing needs. */
  prepareWrites?(): void;
  /** The file's size on disk, or -1 when it does not exist. */
  size(fileIndex: number): Promise<number>;
  /**
   * Deletes the file if it exists, then each folder between it and the root that is left empty (never the root
   * itself). A later write creates it again. Resolves when it is gone; a missing file is not an error.
   */
  remove(fileIndex: number): Promise<void>;
  /**
   * Optional: the file's last modification time in whole milliseconds, -1 when it does not exist. Resume data
   * records it to notice a file written after the record; without it only sizes are compared.
   */
  modifiedTime?(fileIndex: number): Promise<number>;
  /** Makes every completed write durable (fsync). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What `TorrentFiles.writeVerified` hands back: whether the digest matched (and the bytes were written), and the bytes. */
export interface VerifiedWrite {
  readonly written: boolean;
  readonly data: Uint8Array;
}

/** `TorrentFiles.write` of bytes the caller gives up: moved when the storage can, written from place otherwise. */
export function writeMoving(
  files: TorrentFiles,
  fileIndex: number,
  position: number,
  data: Uint8Array,
): Promise<Uint8Array> {
  if (files.writeMoving) return files.writeMoving(fileIndex, position, data);
  return files.write(fileIndex, position, data).then(() => data);
}

export interface Storage {
  /** Opens the files of a torrent below `root`. Does not create anything until the first write. */
  open(root: string, files: readonly StorageFileSpec[]): Promise<TorrentFiles>;
}
