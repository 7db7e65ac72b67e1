/**
 * `bitloom demo`: the whole engine on one machine, no internet needed. Makes a random payload, creates its
 * torrent, seeds it from one bitloom session and downloads it with another over loopback, showing progress, then
 * compares the download with the original byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoPieceLength, BitloomError, createTorrent, parseTorrent } from '@bitloom/engine';
import { createFileRangeReader, createSession, scanPath, WorkerHasher } from '@bitloom/node';
import type { Command } from 'commander';
import { parseByteSize } from '../arguments.js';
import type { CliContext } from '../cli-context.js';
import { formatBytes, formatRate } from '../format.js';
import { inlineHasher } from '../hashers.js';
import { runTorrent } from '../run-torrent.js';

interface DemoOptions {
  size: string;
  pieceLength?: string;
  keep?: boolean;
  quiet?: boolean;
}

async function sha1OfFile(path: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function run(options: DemoOptions, context: CliContext): Promise<void> {
  const size = parseByteSize(options.size);
  const work = await mkdtemp(join(tmpdir(), 'bitloom-demo-'));
  try {
    const seedDir = join(work, 'seed');
    const downloadDir = join(work, 'download');
    await mkdir(seedDir);
    const payloadPath = join(seedDir, 'demo-payload.bin');
    const chunk = 4 * 1024 * 1024;
    const parts: Buffer[] = [];
    for (let written = 0; written < size; written += chunk)
      parts.push(randomBytes(Math.min(chunk, size - written)));
    await writeFile(payloadPath, parts);
    context.stderr.write(`demo: ${formatBytes(size)} of random data in ${work}\n`);

    const scanned = await scanPath(payloadPath);
    const pieceLength = options.pieceLength ? parseByteSize(options.pieceLength) : autoPieceLength(size);
    const hasher = new WorkerHasher();
    const reader = createFileRangeReader();
    let torrentBytes: Uint8Array;
    try {
      torrentBytes = await createTorrent(
        { name: scanned.name, files: scanned.files, pieceLength },
        (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
        hasher,
      );
    } finally {
      await hasher.close();
      await reader.close();
    }
    const metainfo = await parseTorrent(torrentBytes, inlineHasher);
    context.stderr.write(
      `demo: torrent ${metainfo.infoHashHex}, ${metainfo.pieceCount} pieces of ${formatBytes(pieceLength)}\n`,
    );

    const seeder = await createSession({ listen: { host: '127.0.0.1', port: 0 } });
    try {
      const seeding = seeder.addTorrent(metainfo, { savePath: seedDir });
      await new Promise<void>((resolve, reject) => {
        if (seeding.complete) resolve();
        seeding.on('done', () => resolve());
        seeding.on('error', reject);
      });
      context.stderr.write(`demo: seeder ready on 127.0.0.1:${seeder.listenPort}; downloading…\n`);
      const started = performance.now();
      const result = await runTorrent({
        ...(context.platform && { platform: context.platform }),
        source: { kind: 'torrent', metainfo },
        savePath: downloadDir,
        peers: [{ host: '127.0.0.1', port: seeder.listenPort }],
        listenHost: '127.0.0.1',
        listenPort: 0,
        keepSeeding: false,
        quiet: options.quiet === true,
        stderr: context.stderr,
      });
      const seconds = (performance.now() - started) / 1000;
      if (result.outcome === 'error') throw result.error;
      if (result.outcome !== 'done') throw new BitloomError('CLI_INTERRUPTED', 'demo interrupted');
      const [original, downloaded] = await Promise.all([
        sha1OfFile(payloadPath),
        sha1OfFile(join(downloadDir, metainfo.files[0]!.path.join('/'))),
      ]);
      if (original !== downloaded) {
        throw new BitloomError('CLI_DEMO_MISMATCH', 'the downloaded file differs from the original');
      }
      context.stdout.write(
        `demo: downloaded ${formatBytes(size)} in ${seconds.toFixed(2)} s (${formatRate(size / seconds)}), ` +
          `every piece verified, file identical to the original (sha1 ${original})\n`,
      );
    } finally {
      await seeder.close();
    }
  } finally {
    if (!options.keep) await rm(work, { recursive: true, force: true });
  }
}

export function register(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('seed a random payload with one session and download it with another over loopback')
    .option('--size <bytes>', 'payload size (e.g. 64M, 1G)', '128M')
    .option('--piece-length <bytes>', 'piece length (default: automatic)')
    .option('--keep', 'keep the temporary folder')
    .option('-q, --quiet', 'no progress output')
    .addHelpText('after', '\nExamples:\n  bitloom demo\n  bitloom demo --size 1G --keep')
    .action((options: DemoOptions) => run(options, context));
}
