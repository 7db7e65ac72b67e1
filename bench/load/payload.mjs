/**
 * The load test's payload: one file of pseudo-random bytes (an AES-128-CTR keystream from a fixed seed, the same
 * bytes on every run) and its single-file v1 torrent, made by bitloom's own `createTorrent`. Kept under the work
 * dir and reused; `ready.json` is written last, so a half-made payload is rebuilt.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '@bitloom/engine';
import { sha1Inline } from '@bitloom/node';

const MIB = 1024 * 1024;
const WRITE_CHUNK_BYTES = 16 * MIB;
export const PAYLOAD_NAME = 'load.bin';

/**
 * The payload of `sizeMiB` MiB with `pieceLength`-byte pieces, made first if needed.
 * @returns {Promise<{ dir: string, dataFile: string, torrentFile: string, totalBytes: number }>}
 */
export async function ensurePayload({ workDir, sizeMiB, pieceLength, seed = 1, log = () => {} }) {
  const dir = join(workDir, `payload-${sizeMiB}MiB-${pieceLength}-${seed}`);
  const dataFile = join(dir, PAYLOAD_NAME);
  const torrentFile = join(dir, 'load.torrent');
  const readyFile = join(dir, 'ready.json');
  const totalBytes = Math.round(sizeMiB * MIB);
  if ((await exists(readyFile)) && (await fileSize(dataFile)) === totalBytes) {
    return { dir, dataFile, torrentFile, totalBytes };
  }
  log(`payload: writing ${sizeMiB} MiB to ${dataFile}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeKeystream(dataFile, totalBytes, seed);
  log('payload: hashing it into a torrent');
  const handle = await open(dataFile, 'r');
  try {
    const bytes = await createTorrent(
      { name: PAYLOAD_NAME, files: [{ path: [PAYLOAD_NAME], length: totalBytes }], pieceLength },
      async (_file, position, length) => {
        const buffer = new Uint8Array(length);
        await handle.read(buffer, 0, length, position);
        return buffer;
      },
      { sha1: async (data) => sha1Inline(data) },
    );
    await writeFile(torrentFile, bytes);
  } finally {
    await handle.close();
  }
  await writeFile(readyFile, `${JSON.stringify({ totalBytes, pieceLength, seed })}\n`);
  return { dir, dataFile, torrentFile, totalBytes };
}

async function writeKeystream(file, totalBytes, seed) {
  const key = createHash('sha256').update(`bitloom-load:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(WRITE_CHUNK_BYTES);
  const out = createWriteStream(file);
  for (let written = 0; written < totalBytes; written += WRITE_CHUNK_BYTES) {
    const length = Math.min(WRITE_CHUNK_BYTES, totalBytes - written);
    if (!out.write(cipher.update(zeros.subarray(0, length)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function exists(file) {
  try {
    await readFile(file);
    return true;
  } catch {
    return false;
  }
}

async function fileSize(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return -1;
  }
}
