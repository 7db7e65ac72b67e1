/**
 * The benchmark's payloads, made once and reused by later runs (under the work dir; `ready.json` is written last,
 * so a half-made payload is rebuilt). The bytes are an AES-128-CTR keystream from a fixed seed, so every run and
 * every machine gets the same data and nothing compresses; the torrents (v1, no trackers) are made by libtorrent.
 * - `ensureFilePayload`: one file, one single-file torrent.
 * - `ensureFilesPayload`: one folder of files of mixed sizes (log-uniform between two bounds), one torrent.
 * - `ensureManyTorrents`: many small files, one single-file torrent each.
 * A payload is `{ dir, name, files, dataFiles, torrentFile, infoHash, totalBytes, pieceLength }`: `dir` is the
 * folder a client is given (the torrent's files go below it under `name`), `files` the paths relative to `dir`.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from './processes.mjs';

const MIB = 1024 * 1024;
const KIB = 1024;
const WRITE_CHUNK_BYTES = 16 * MIB;

/** One file of `sizeMiB` MiB in a single-file torrent with `pieceLength`-byte pieces. */
export async function ensureFilePayload({ workDir, sizeMiB, pieceLength, seed, python, torrentScript, log }) {
  const name = `bitloom-bench-${sizeMiB}MiB.bin`;
  const dir = join(workDir, `payload-${sizeMiB}MiB-${pieceLength}-${seed}`);
  const totalBytes = sizeMiB * MIB;
  return ensure(
    { dir, name, files: [name], log, python, torrentScript, pieceLength, totalBytes },
    async () => {
      await writeKeystream([{ path: join(dir, name), size: totalBytes }], seed);
    },
  );
}

/**
 * `fileCount` files of mixed sizes, `sizeMiB` MiB in all, each between `minKiB` and `maxKiB` (a seeded
 * log-uniform draw scaled to the total), in one multi-file torrent.
 */
export async function ensureFilesPayload({
  workDir,
  sizeMiB,
  fileCount,
  minKiB,
  maxKiB,
  pieceLength,
  seed,
  python,
  torrentScript,
  log,
}) {
  const name = `bitloom-bench-files-${sizeMiB}MiB-${fileCount}`;
  const dir = join(
    workDir,
    `payload-files-${sizeMiB}MiB-${fileCount}-${minKiB}-${maxKiB}-${pieceLength}-${seed}`,
  );
  const sizes = mixedSizes(sizeMiB * MIB, fileCount, minKiB * KIB, maxKiB * KIB, seed);
  const files = sizes.map((_, index) => join(name, `file-${String(index).padStart(4, '0')}.bin`));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  return ensure({ dir, name, files, log, python, torrentScript, pieceLength, totalBytes }, async () => {
    await mkdir(join(dir, name), { recursive: true });
    await writeKeystream(
      files.map((file, index) => ({ path: join(dir, file), size: sizes[index] })),
      seed,
    );
  });
}

/**
 * `count` files of `fileKiB` KiB, each in a torrent of its own. Returns `{ dir, torrentsDir, torrents: [{ file,
 * torrentFile, infoHash }], dataDir, totalBytes }`; every torrent's data is `dataDir`/its file.
 */
export async function ensureManyTorrents({
  workDir,
  count,
  fileKiB,
  pieceLength,
  seed,
  python,
  torrentScript,
  log,
}) {
  const dir = join(workDir, `payload-many-${count}x${fileKiB}KiB-${pieceLength}-${seed}`);
  const torrentsDir = join(dir, 'torrents');
  const readyFile = join(dir, 'ready.json');
  const existing = await readJson(readyFile);
  if (existing?.torrents?.length === count) {
    log(`payload: reusing ${count} torrents in ${dir}`);
    return {
      dir,
      dataDir: join(dir, 'data'),
      torrentsDir,
      torrents: existing.torrents,
      totalBytes: existing.totalBytes,
    };
  }
  log(`payload: writing ${count} files of ${fileKiB} KiB and a torrent for each to ${dir}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o755 });
  await mkdir(torrentsDir, { recursive: true });
  const files = Array.from({ length: count }, (_, index) => `torrent-${String(index).padStart(5, '0')}.bin`);
  await writeKeystream(
    files.map((file) => ({ path: join(dir, 'data', file), size: fileKiB * KIB })),
    seed,
  );
  const created = await runToCompletion(python, [
    torrentScript,
    'create-many',
    join(dir, 'data'),
    torrentsDir,
    '--piece-length',
    String(pieceLength),
  ]);
  const byFile = new Map(
    created
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .map((entry) => [entry.file, entry]),
  );
  const torrents = files.map((file) => ({
    file,
    torrentFile: byFile.get(file).torrentFile,
    infoHash: byFile.get(file).infoHash,
  }));
  const totalBytes = count * fileKiB * KIB;
  await writeFile(readyFile, `${JSON.stringify({ torrents, totalBytes })}\n`);
  return { dir, dataDir: join(dir, 'data'), torrentsDir, torrents, totalBytes };
}

async function ensure({ dir, name, files, log, python, torrentScript, pieceLength, totalBytes }, write) {
  const torrentFile = join(dir, `${name}.torrent`);
  const readyFile = join(dir, 'ready.json');
  const dataFiles = files.map((file) => join(dir, file));
  const payload = { dir, name, files, dataFiles, torrentFile, totalBytes, pieceLength };
  const existing = await readJson(readyFile);
  if (existing && existing.totalBytes === totalBytes && (await fileSize(torrentFile)) > 0) {
    log(`payload: reusing ${join(dir, name)}`);
    return { ...payload, infoHash: existing.infoHash };
  }
  log(`payload: writing ${(totalBytes / MIB).toFixed(0)} MiB of seeded random bytes to ${join(dir, name)}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await write();
  log('payload: hashing pieces into a v1 torrent with libtorrent');
  const created = await runToCompletion(python, [
    torrentScript,
    'create',
    join(dir, name),
    torrentFile,
    '--piece-length',
    String(pieceLength),
  ]);
  const { infoHash } = JSON.parse(created.trim().split('\n').pop());
  await writeFile(readyFile, `${JSON.stringify({ infoHash, totalBytes, pieceLength })}\n`);
  return { ...payload, infoHash };
}

/**
 * `count` sizes summing to exactly `total`, each within [min, max]: seeded log-uniform draws, scaled to the
 * total, clamped, with the rounding left over spread over the files that have room.
 */
export function mixedSizes(total, count, min, max, seed) {
  if (total < count * min || total > count * max) {
    throw new RangeError(`${count} files of ${min}-${max} bytes cannot hold ${total} bytes`);
  }
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: enough for file sizes, and the same on every machine.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const draws = Array.from({ length: count }, () => Math.exp(Math.log(min) + random() * Math.log(max / min)));
  // Scale so the sum is near the total, clamping as we go (a few passes settle it).
  let sizes = draws.map((draw) => Math.round(draw));
  for (let pass = 0; pass < 20; pass++) {
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum === total) break;
    const free = sizes.filter((size) => (sum < total ? size < max : size > min)).length;
    if (free === 0) break;
    const factor = total / sum;
    sizes = sizes.map((size) => Math.min(max, Math.max(min, Math.round(size * factor))));
  }
  let rest = total - sizes.reduce((a, b) => a + b, 0);
  for (let index = 0; rest !== 0 && index < count; index++) {
    const room = rest > 0 ? max - sizes[index] : min - sizes[index];
    const step = rest > 0 ? Math.min(rest, room) : Math.max(rest, room);
    sizes[index] += step;
    rest -= step;
  }
  return sizes;
}

/** Writes one keystream across `files` in order. */
async function writeKeystream(files, seed) {
  const key = createHash('sha256').update(`bitloom-bench:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(WRITE_CHUNK_BYTES);
  for (const { path, size } of files) {
    const out = createWriteStream(path);
    for (let written = 0; written < size; written += WRITE_CHUNK_BYTES) {
      const length = Math.min(WRITE_CHUNK_BYTES, size - written);
      if (!out.write(cipher.update(zeros.subarray(0, length)))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
}

async function readJson(file) {
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
