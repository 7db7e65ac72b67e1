/**
 * The info dictionary kept in a torrent's resume data, so a magnet link restarted over an earlier download need
 * not fetch its metadata from peers again (BEP 9). Only a record whose info dictionary hashes to the link's
 * info-hash is used; anything else is "not found", never an error.
 */
import { equalBytes, toHex } from '../bytes.js';
import { type InfoDictionary, parseInfoDictionary } from '../metainfo/index.js';
import type { Hasher } from '../platform/hasher.js';
import { decodeResumeData } from './resume-data.js';
import type { ResumeStore } from './resume-store.js';

export async function resumedMetadata(
  store: ResumeStore,
  infoHash: Uint8Array,
  hasher: Hasher,
): Promise<InfoDictionary | undefined> {
  const copies = await store.load(toHex(infoHash)).catch(() => []);
  for (const bytes of copies) {
    try {
      const data = await decodeResumeData(bytes, hasher);
      const info = await parseInfoDictionary(data.infoBytes, hasher);
      if (equalBytes(info.infoHash, infoHash)) return info;
    } catch {
      // a damaged copy: try the next, or fetch the metadata
    }
  }
  return undefined;
}
