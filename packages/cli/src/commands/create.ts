/**
 * `bitloom create <path> -o <out.torrent>`: makes a v1 `.torrent` (BEP 3) from a file or directory, with
 * trackers (BEP 12), web seeds (BEP 19) and the private flag (BEP 27). Prints the info-hash and magnet link.
 */
import { access, writeFile } from 'node:fs/promises';
import {
  autoPieceLength,
  BitloomError,
  createTorrent,
  isTrackerUrl,
  isWebSeedUrl,
  parseTorrent,
} from '@bitloom/engine';
import { createFileRangeReader, scanPath, WorkerHasher } from '@bitloom/node';
import type { Command } from 'commander';
import { collect, parseByteSize } from '../arguments.js';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { formatBytes, safeText } from '../format.js';
import { hashProgress } from '../hash-progress.js';
import { inlineHasher } from '../hashers.js';
import { magnetFor } from '../render-metainfo.js';
import { cliVersion } from '../version.js';

interface CreateOptions {
  output: string;
  tracker?: string[];
  webSeed?: string[];
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  force?: boolean;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function run(path: string, options: CreateOptions, context: CliContext): Promise<void> {
  const trackers = options.tracker ?? [];
  const webSeeds = options.webSeed ?? [];
  for (const url of trackers) {
    if (!isTrackerUrl(url))
      throw new UsageError(`--tracker ${safeText(url)}: expected an http, https or udp URL`);
  }
  for (const url of webSeeds) {
    if (!isWebSeedUrl(url))
      throw new UsageError(`--web-seed ${safeText(url)}: expected an http or https URL`);
  }
  // Checked before hashing, which can take minutes, rather than after.
  if (!options.force && (await exists(options.output))) {
    throw new BitloomError(
      'CLI_OUTPUT_EXISTS',
      `${options.output} already exists (use --force to overwrite it)`,
    );
  }

  const scanned = await scanPath(path);
  const totalLength = scanned.files.reduce((sum, file) => sum + file.length, 0);
  const pieceLength = options.pieceLength ?? autoPieceLength(totalLength);
  const reader = createFileRangeReader();
  const hasher = new WorkerHasher();
  const progress = hashProgress(context.stderr, totalLength);
  let torrentBytes: Uint8Array;
  try {
    torrentBytes = await createTorrent(
      {
        name: scanned.name,
        files: scanned.files,
        pieceLength,
        trackers,
        webSeeds,
        private: options.private === true,
        ...(options.comment !== undefined && { comment: options.comment }),
        createdBy: `bitloom/${cliVersion()}`,
        creationDate: Math.floor(Date.now() / 1000),
      },
      (fileIndex, position, length) => reader.read(scanned.files[fileIndex]!.absolutePath, position, length),
      hasher,
      (hashed, total) => progress.update(hashed, total),
    );
  } finally {
    progress.finish();
    await Promise.all([reader.close(), hasher.close()]);
  }
  await writeFile(options.output, torrentBytes, { flag: options.force ? 'w' : 'wx' });

  const metainfo = await parseTorrent(torrentBytes, inlineHasher);
  const fileCount = metainfo.files.length;
  context.stdout.write(
    `Created ${safeText(options.output)}: ${safeText(metainfo.name)}, ${fileCount} file${fileCount === 1 ? '' : 's'}, ` +
      `${formatBytes(metainfo.totalLength)}, ${metainfo.pieceCount} pieces of ${formatBytes(metainfo.pieceLength)}\n` +
      `Info-hash: ${metainfo.infoHashHex}\n` +
      `Magnet:    ${magnetFor(metainfo)}\n`,
  );
}

export function register(program: Command, context: CliContext): void {
  program
    .command('create')
    .description('create a .torrent file from a file or a directory')
    .argument('<path>', 'the file or directory to share')
    .requiredOption('-o, --output <file>', 'where to write the .torrent file')
    .option(
      '-t, --tracker <url>',
      'tracker URL (http, https or udp); repeat for more, each is its own tier',
      collect,
    )
    .option(
      '--piece-length <bytes>',
      'piece length, e.g. 262144, 256K or 4M (default: automatic)',
      parseByteSize,
    )
    .option('--private', 'private torrent: peers only from its trackers (BEP 27)')
    .option('--comment <text>', 'a comment stored in the torrent')
    .option('-w, --web-seed <url>', 'web seed URL (BEP 19); repeat for more', collect)
    .option('-f, --force', 'overwrite the output file if it exists')
    .addHelpText(
      'after',
      `
Examples:
  bitloom create ./photos -o photos.torrent -t udp://tracker.example:6969/announce
  bitloom create movie.mkv -o movie.torrent --piece-length 4M --private -t https://tracker.example/announce`,
    )
    .action(async (path: string, options: CreateOptions) => run(path, options, context));
}
