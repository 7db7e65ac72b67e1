/**
 * Parsing a `.torrent` file (BEP 3): the info dictionary plus what surrounds it — trackers (BEP 12 tiers),
 * web seeds (BEP 19), comment, creator and creation date. Files in the wild are decoded leniently (unsorted
 * keys, trailing bytes), but the info-hash is always the SHA-1 of the info dictionary's ORIGINAL bytes.
 */
import {
  type BencodeDict,
  BencodeError,
  type DecodedWithSpans,
  decodeWithSpans,
  isDict,
  utf8Decode,
} from '../bencode/index.js';
import type { Hasher } from '../platform/index.js';
import { type InfoDictionary, malformed, readInfoDictionary } from './info-dictionary.js';
import { type MetainfoLimits, resolveLimits } from './limits.js';
import { MetainfoError } from './metainfo-error.js';
import { readAnnounceTiers, readWebSeeds } from './tracker-urls.js';

/** A parsed `.torrent` file. */
export interface Metainfo extends InfoDictionary {
  /** BEP 12 tiers: `announce-list` if it has usable trackers, else `[[announce]]`; http/https/udp only. */
  readonly announce: string[][];
  /** BEP 19 web seeds (http/https). */
  readonly urlList: string[];
  /** Free text from the creator, as written: neutralise it before printing (neutralizeControlChars). */
  readonly comment?: string;
  /** The creating program, as written: neutralise it before printing. */
  readonly createdBy?: string;
  /** Seconds since the Unix epoch. */
  readonly creationDate?: number;
}

function decodeTorrent(bytes: Uint8Array, limits: MetainfoLimits): DecodedWithSpans {
  const options = { maxItems: limits.maxBencodeItems, maxLength: limits.maxTorrentBytes };
  try {
    return decodeWithSpans(bytes, options);
  } catch (error) {
    // Some creators append a newline or junk after the dictionary; the dictionary itself is still intact.
    if (error instanceof BencodeError && error.code === 'BENCODE_TRAILING_DATA' && error.offset > 0) {
      try {
        return decodeWithSpans(bytes.subarray(0, error.offset), options);
      } catch (retryError) {
        throw malformed(retryError, 'the torrent file');
      }
    }
    throw malformed(error, 'the torrent file');
  }
}

/** An optional text field, UTF-8 (preferring the `.utf-8` variant). Raw: displays must neutralise it. */
function readText(root: BencodeDict, key: string): string | undefined {
  const value = root.get(`${key}.utf-8`) ?? root.get(key);
  return value instanceof Uint8Array ? utf8Decode(value) : undefined;
}

/**
 * Parses a `.torrent` file.
 *
 * @param bytes the whole file.
 * @param hasher computes the info-hash.
 * @param limits overrides of {@link MetainfoLimits}; defaults suit files from the internet.
 * @throws MetainfoError (codes `METAINFO_*`) for anything malformed, unsafe or over a limit; never another
 *   error type for bad input.
 */
export async function parseTorrent(
  bytes: Uint8Array,
  hasher: Hasher,
  limits?: Partial<MetainfoLimits>,
): Promise<Metainfo> {
  const resolved = resolveLimits(limits);
  if (bytes.length > resolved.maxTorrentBytes) {
    throw new MetainfoError(
      'METAINFO_TOO_LARGE',
      `the torrent file is ${bytes.length} bytes, more than the limit of ${resolved.maxTorrentBytes}`,
    );
  }
  const decoded = decodeTorrent(bytes, resolved);
  const root = decoded.value;
  if (!isDict(root))
    throw new MetainfoError('METAINFO_INVALID', 'the torrent file is not a bencoded dictionary');
  const info = root.get('info');
  if (!isDict(info)) throw new MetainfoError('METAINFO_INVALID', 'the torrent file has no `info` dictionary');
  const span = decoded.spanOf(info);
  if (span === undefined)
    throw new MetainfoError('METAINFO_INVALID', 'the `info` dictionary has no byte span');
  const infoBytes = bytes.slice(span.start, span.end);

  const parsed = await readInfoDictionary(info, infoBytes, hasher, resolved);
  const comment = readText(root, 'comment');
  const createdBy = readText(root, 'created by');
  const creationDate = root.get('creation date');
  return {
    ...parsed,
    announce: readAnnounceTiers(root),
    urlList: readWebSeeds(root),
    ...(comment !== undefined && { comment }),
    ...(createdBy !== undefined && { createdBy }),
    ...(typeof creationDate === 'number' && { creationDate }),
  };
}
