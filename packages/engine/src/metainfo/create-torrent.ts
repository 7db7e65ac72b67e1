/**
 * Creating a v1 `.torrent` file (BEP 3) from a list of files: the pieces are read through a callback and
 * hashed through the Platform's Hasher, with trackers (BEP 12 tiers), web seeds (BEP 19) and the private
 * flag (BEP 27). Output is canonical bencode, so the info-hash is reproducible from the same input.
 */
import { type BencodeDict, type BencodeValue, encode, utf8Encode } from '../bencode/index.js';
import { BitloomError } from '../errors.js';
import type { Hasher } from '../platform/index.js';
import { DEFAULT_METAINFO_LIMITS } from './limits.js';
import { MetainfoError } from './metainfo-error.js';
import { autoPieceLength, PIECE_HASH_LENGTH, pieceCountFor } from './piece-length.js';
import { isTrackerUrl, isWebSeedUrl } from './tracker-urls.js';

/** One file to put in a torrent. */
export interface CreateTorrentFile {
  /**
   * The path in the same shape parseTorrent returns in `TorrentFile.path`: `[name]` for a single-file
   * torrent, `[name, ...below]` (at least two segments) for a multi-file one.
   */
  readonly path: readonly string[];
  readonly length: number;
}

/**
 * What to put in a new torrent. The torrent is single-file exactly when `files` holds one file whose path
 * is `[name]`; otherwise every path must start with `name` and go at least one folder deeper.
 */
export interface CreateTorrentOptions {
  /** The torrent name: the file name (single-file) or the top folder (multi-file). */
  readonly name: string;
  /** The files in torrent order (the caller sorts them; scanPath sorts by path). */
  readonly files: readonly CreateTorrentFile[];
  /** Bytes per piece, any positive integer up to 256 MiB; default autoPieceLength(total). */
  readonly pieceLength?: number;
  /** Tracker URLs: tiers (`[['a', 'b'], ['c']]`) or a flat list meaning one tier per URL. */
  readonly trackers?: readonly (readonly string[])[] | readonly string[];
  /** BEP 19 web seed URLs (http/https). */
  readonly webSeeds?: readonly string[];
  /** BEP 27 private torrent. */
  readonly private?: boolean;
  readonly comment?: string;
  readonly createdBy?: string;
  /** Seconds since the Unix epoch; the caller takes it from its clock (omitted when undefined). */
  readonly creationDate?: number;
}

/** Reads `length` bytes of file `fileIndex` at `position`; must return exactly `length` bytes. */
export type ReadFileRange = (fileIndex: number, position: number, length: number) => Promise<Uint8Array>;

/** Pieces read ahead while earlier ones are hashing (a platform may hash on several threads). */
const MAX_PIECES_IN_FLIGHT = 4;
/** ...but never more than this many bytes of piece buffers at once. */
const MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

function badOptions(message: string): MetainfoError {
  return new MetainfoError('METAINFO_BAD_OPTIONS', message);
}

/** A name the creator can write as-is: not empty, not `.`/`..`, no separator or NUL. */
function checkElement(element: string, where: string): void {
  if (element === '' || element === '.' || element === '..' || /[/\\\0]/.test(element)) {
    throw badOptions(`${where}: ${JSON.stringify(element)} is not a valid file or folder name`);
  }
}

function checkLayout(options: CreateTorrentOptions): { multiFile: boolean; totalLength: number } {
  checkElement(options.name, 'name');
  const { files, name } = options;
  if (files.length === 0) throw badOptions('a torrent needs at least one file');
  // Never create what parseTorrent (here or in other clients with similar limits) would refuse.
  const { maxFiles, maxPathDepth } = DEFAULT_METAINFO_LIMITS;
  if (files.length > maxFiles)
    throw badOptions(`${files.length} files is more than a torrent may hold (${maxFiles})`);
  const multiFile = !(files.length === 1 && files[0]!.path.length === 1 && files[0]!.path[0] === name);
  let totalLength = 0;
  files.forEach((file, index) => {
    if (!Number.isSafeInteger(file.length) || file.length < 0) {
      throw badOptions(`file ${index}: length ${file.length} is not a non-negative integer`);
    }
    totalLength += file.length;
    if (!Number.isSafeInteger(totalLength)) throw badOptions('the total length is too large');
    if (multiFile && (file.path.length < 2 || file.path[0] !== name)) {
      throw badOptions(
        `file ${index}: a multi-file path must be [name, ...below], got ${JSON.stringify(file.path)}`,
      );
    }
    if (file.path.length - (multiFile ? 1 : 0) > maxPathDepth) {
      throw badOptions(`file ${index}: the path is deeper than ${maxPathDepth} folders`);
    }
    file.path.forEach((element) => {
      checkElement(element, `file ${index}`);
    });
  });
  return { multiFile, totalLength };
}

function choosePieceLength(options: CreateTorrentOptions, totalLength: number): number {
  const pieceLength = options.pieceLength ?? autoPieceLength(totalLength);
  const { minPieceLength, maxPieceLength, maxPieces } = DEFAULT_METAINFO_LIMITS;
  if (!Number.isInteger(pieceLength) || pieceLength < minPieceLength || pieceLength > maxPieceLength) {
    throw badOptions(
      `piece length ${pieceLength} is not an integer between ${minPieceLength} and ${maxPieceLength}`,
    );
  }
  if (pieceCountFor(totalLength, pieceLength) > maxPieces) {
    throw badOptions(`piece length ${pieceLength} gives more than ${maxPieces} pieces; choose a larger one`);
  }
  return pieceLength;
}

function trackerTiers(trackers: CreateTorrentOptions['trackers']): string[][] {
  const tiers = (trackers ?? []).map((tier) => (typeof tier === 'string' ? [tier] : [...tier]));
  for (const url of tiers.flat()) {
    if (!isTrackerUrl(url))
      throw badOptions(`${JSON.stringify(url)} is not an http, https or udp tracker URL`);
  }
  return tiers.filter((tier) => tier.length > 0);
}

/** Reads and hashes every piece; returns the concatenated hashes. */
async function hashPieces(
  files: readonly CreateTorrentFile[],
  totalLength: number,
  pieceLength: number,
  readFile: ReadFileRange,
  hasher: Hasher,
  onProgress?: (hashedBytes: number, total: number) => void,
): Promise<Uint8Array> {
  const pieceCount = pieceCountFor(totalLength, pieceLength);
  const hashes = new Uint8Array(pieceCount * PIECE_HASH_LENGTH);
  const offsets: number[] = [];
  files.reduce((offset, file) => {
    offsets.push(offset);
    return offset + file.length;
  }, 0);
  let fileCursor = 0;

  const readPiece = async (buffer: Uint8Array, start: number, size: number): Promise<void> => {
    let filled = 0;
    while (filled < size) {
      const position = start + filled;
      // Pieces are read in order, so the file cursor only moves forward (zero-length files are skipped here).
      while (offsets[fileCursor]! + files[fileCursor]!.length <= position) fileCursor++;
      const filePosition = position - offsets[fileCursor]!;
      const length = Math.min(size - filled, files[fileCursor]!.length - filePosition);
      let chunk: Uint8Array;
      try {
        chunk = await readFile(fileCursor, filePosition, length);
      } catch (error) {
        if (error instanceof BitloomError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new MetainfoError('METAINFO_READ_FAILED', `reading file ${fileCursor} failed: ${reason}`, {
          cause: error,
        });
      }
      if (chunk.length !== length) {
        throw new MetainfoError(
          'METAINFO_READ_FAILED',
          `file ${fileCursor} returned ${chunk.length} bytes at ${filePosition}, expected ${length} (did it change?)`,
        );
      }
      buffer.set(chunk, filled);
      filled += length;
    }
  };

  const window = Math.max(1, Math.min(MAX_PIECES_IN_FLIGHT, Math.floor(MAX_BYTES_IN_FLIGHT / pieceLength)));
  const freeBuffers: Uint8Array[] = [];
  const inFlight: Promise<void>[] = [];
  let hashedBytes = 0;
  for (let piece = 0; piece < pieceCount; piece++) {
    if (inFlight.length >= window) await inFlight.shift();
    const start = piece * pieceLength;
    const size = Math.min(pieceLength, totalLength - start);
    const buffer = freeBuffers.pop() ?? new Uint8Array(pieceLength);
    await readPiece(buffer, start, size);
    const hashed = hasher.sha1(buffer.subarray(0, size)).then((hash) => {
      hashes.set(hash.subarray(0, PIECE_HASH_LENGTH), piece * PIECE_HASH_LENGTH);
      freeBuffers.push(buffer);
      hashedBytes += size;
      onProgress?.(hashedBytes, totalLength);
    });
    // Observed now so a failure while we are still reading is not an unhandled rejection; awaited below.
    hashed.catch(() => undefined);
    inFlight.push(hashed);
  }
  await Promise.all(inFlight);
  return hashes;
}

/**
 * Creates a v1 `.torrent` file.
 *
 * @param readFile reads file content (see {@link ReadFileRange}); called in piece order.
 * @param onProgress called after each hashed piece with the bytes hashed so far and the total.
 * @returns the bencoded torrent; parse it with parseTorrent for the info-hash.
 * @throws MetainfoError `METAINFO_BAD_OPTIONS` for invalid options, `METAINFO_READ_FAILED` when reading fails.
 */
export async function createTorrent(
  options: CreateTorrentOptions,
  readFile: ReadFileRange,
  hasher: Hasher,
  onProgress?: (hashedBytes: number, total: number) => void,
): Promise<Uint8Array> {
  const { multiFile, totalLength } = checkLayout(options);
  const pieceLength = choosePieceLength(options, totalLength);
  const tiers = trackerTiers(options.trackers);
  const webSeeds = [...(options.webSeeds ?? [])];
  for (const url of webSeeds) {
    if (!isWebSeedUrl(url)) throw badOptions(`${JSON.stringify(url)} is not an http or https web seed URL`);
  }
  const { creationDate } = options;
  if (creationDate !== undefined && (!Number.isSafeInteger(creationDate) || creationDate < 0)) {
    throw badOptions(`creation date ${creationDate} is not a number of seconds`);
  }

  const pieces = await hashPieces(options.files, totalLength, pieceLength, readFile, hasher, onProgress);

  const info: BencodeDict = new Map<string, BencodeValue>();
  if (multiFile) {
    info.set(
      'files',
      options.files.map(
        (file): BencodeDict =>
          new Map<string, BencodeValue>([
            ['length', file.length],
            ['path', file.path.slice(1).map(utf8Encode)],
          ]),
      ),
    );
  } else {
    info.set('length', totalLength);
  }
  info.set('name', utf8Encode(options.name));
  info.set('piece length', pieceLength);
  info.set('pieces', pieces);
  if (options.private) info.set('private', 1);

  const root: BencodeDict = new Map<string, BencodeValue>();
  const firstTracker = tiers[0]?.[0];
  if (firstTracker !== undefined) root.set('announce', utf8Encode(firstTracker));
  if (tiers.flat().length > 1)
    root.set(
      'announce-list',
      tiers.map((tier) => tier.map(utf8Encode)),
    );
  if (options.comment !== undefined) root.set('comment', utf8Encode(options.comment));
  if (options.createdBy !== undefined) root.set('created by', utf8Encode(options.createdBy));
  if (creationDate !== undefined) root.set('creation date', creationDate);
  root.set('info', info);
  if (webSeeds.length > 0) root.set('url-list', webSeeds.map(utf8Encode));
  return encode(root);
}
