/**
 * The benchmark's payload: one file of pseudo-random bytes (an AES-128-CTR keystream from a fixed seed, so every
 * run and every machine gets the same bytes) and its single-file v1 torrent, made by libtorrent. Both are kept
 * under the work dir and reused by later runs; `ready.json` is written last, so a half-made payload is rebuilt.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from './processes.mjs';

const MIB = 1024 * 1024;
const WRITE_CHUNK_BYTES = 16 * MIB;

/**
 * Returns the payload of `sizeMiB` MiB with `pieceLength`-byte pieces, making it first if needed.
 * @returns {Promise<{ dir, name, dataFile, torrentFile, infoHash, totalBytes, pieceLength }>}
 */
export async function ensurePayload({ workDir, sizeMiB, pieceLength, seed, python, torrentScript, log }) {
  const name = `bitloom-bench-${sizeMiB}MiB.bin`;
  const dir = join(workDir, `payload-${sizeMiB}MiB-${pieceLength}-${seed}`);
  const dataFile = join(dir, name);
  const torrentFile = join(dir, `${name}.torrent`);
  const readyFile = join(dir, 'ready.json');
  const totalBytes = sizeMiB * MIB;

  const existing = await readReady(readyFile);
  if (existing && (await fileSize(dataFile)) === totalBytes && (await fileSize(torrentFile)) > 0) {
    log(`payload: reusing ${dataFile}`);
    return { dir, name, dataFile, torrentFile, infoHash: existing.infoHash, totalBytes, pieceLength };
  }

  log(`payload: writing ${sizeMiB} MiB of seeded random bytes to ${dataFile}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await writeKeystream(dataFile, totalBytes, seed);
  log('payload: hashing pieces into a v1 torrent with libtorrent');
  const created = await runToCompletion(python, [
    torrentScript,
    'create',
    dataFile,
    torrentFile,
    '--piece-length',
    String(pieceLength),
  ]);
  const { infoHash } = JSON.parse(created.trim().split('\n').pop());
  await writeFile(readyFile, `${JSON.stringify({ infoHash, totalBytes, pieceLength, seed })}\n`);
  return { dir, name, dataFile, torrentFile, infoHash, totalBytes, pieceLength };
}

async function writeKeystream(file, totalBytes, seed) {
  const key = createHash('sha256').update(`bitloom-bench:${seed}`).digest().subarray(0, 16);
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

async function readReady(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

async function fileSize(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return -1;
  }
}
