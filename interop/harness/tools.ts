/**
 * Helpers for interop tests: the command-line torrent makers (mktorrent, transmission-create), free loopback
 * ports, deterministic payload files and file comparison. A missing tool makes the test fail with the spawn
 * error, never skip.
 */
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { SeededRandom } from '@bitloom/testkit';
import { runCommand } from './child-process.js';

/** `mktorrent -l LOG2 -o OUT PATH`: piece length 2^pieceLengthLog2 (mktorrent allows powers of two only). */
export async function mktorrent(source: string, outFile: string, pieceLengthLog2: number): Promise<string> {
  await runCommand('mktorrent', ['-l', String(pieceLengthLog2), '-o', outFile, source]);
  return outFile;
}

/** `transmission-create -o OUT -s PIECE_KIB PATH`, then the info-hash as `transmission-show` reports it. */
export async function transmissionCreate(
  source: string,
  outFile: string,
  pieceKiB: number,
): Promise<{ torrentFile: string; infoHash: string }> {
  await runCommand('transmission-create', ['-o', outFile, '-s', String(pieceKiB), source]);
  return { torrentFile: outFile, infoHash: await transmissionInfoHash(outFile) };
}

/** The info-hash of a torrent file as `transmission-show` reports it (lowercase hex). */
export async function transmissionInfoHash(torrentFile: string): Promise<string> {
  const { stdout } = await runCommand('transmission-show', [torrentFile]);
  const match = /^\s*Hash:\s*([0-9a-fA-F]{40})\s*$/m.exec(stdout);
  if (match === null) throw new Error(`transmission-show printed no hash:\n${stdout}`);
  return match[1]!.toLowerCase();
}

/** A TCP port free on 127.0.0.1 right now (the OS's choice; a small race remains until the caller binds). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Files to make: paths relative to the payload folder, with their sizes. */
export interface PayloadSpec {
  seed: number;
  files: { path: string; length: number }[];
}

/**
 * Writes pseudo-random files below `dir`, the same bytes for the same seed. Returns their absolute paths in
 * spec order.
 */
export async function makePayload(dir: string, spec: PayloadSpec): Promise<string[]> {
  const random = new SeededRandom(spec.seed);
  const written: string[] = [];
  for (const file of spec.files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, random.bytes(file.length));
    written.push(path);
  }
  return written;
}

async function* chunksOf(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}

/** True when both files exist with the same bytes. */
export async function filesEqual(a: string, b: string): Promise<boolean> {
  const [statA, statB] = await Promise.all([stat(a), stat(b)]);
  if (statA.size !== statB.size) return false;
  const readerB = chunksOf(b);
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunkA of chunksOf(a)) {
    let offset = 0;
    while (offset < chunkA.length) {
      if (pending.length === 0) {
        const next = await readerB.next();
        if (next.done) return false;
        pending = next.value;
      }
      const n = Math.min(pending.length, chunkA.length - offset);
      if (Buffer.compare(chunkA.subarray(offset, offset + n), pending.subarray(0, n)) !== 0) return false;
      offset += n;
      pending = pending.subarray(n);
    }
  }
  return true;
}
