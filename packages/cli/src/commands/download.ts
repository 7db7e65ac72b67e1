/**
 * `bitloom download <torrent> [-o DIR] [--peer HOST:PORT]... [--tracker URL]... [--port N] [--seed] [--serve]
 * [--quiet]`: finds peers through the torrent's trackers (and --peer), downloads and verifies every piece, then
 * exits 0 (or keeps seeding with --seed, and serving the files over HTTP with --serve, until interrupted). Data
 * already in DIR that verifies is kept.
 */
import { isTrackerUrl, type Torrent } from '@bitloom/engine';
import type { Command } from 'commander';
import { collect, parseByteSize } from '../arguments.js';
import type { CliContext } from '../cli-context.js';
import type { DhtCliOptions } from '../dht-options.js';
import { addDisplayOptions, type DisplayFlags } from '../display-flags.js';
import { ensureDownloadFolder } from '../download-folder.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type IndexRange, parseIndexRanges, selectedRanges } from '../file-selection.js';
import { safeText } from '../format.js';
import { withJsonErrors } from '../ndjson.js';
import { parsePeerAddress, parsePort } from '../peer-address.js';
import { type RateLimitFlags, rateLimits } from '../rate-limit-flags.js';
import { addResumeOptions, type ResumeFlags, resumeStoreFrom } from '../resume-options.js';
import { runTorrent, type TorrentSource } from '../run-torrent.js';
import { serveAndPrint } from '../serve-files.js';
import { readTorrentInput } from '../torrent-input.js';

interface DownloadOptions extends DhtCliOptions, RateLimitFlags, DisplayFlags, ResumeFlags {
  select?: string;
  exclude?: string;
  sequential?: boolean;
  output: string;
  peer?: string[];
  tracker?: string[];
  port: string;
  listen: string;
  seed?: boolean;
  serve?: boolean;
  servePort?: string;
  directIo: boolean;
}

async function run(input: string, options: DownloadOptions, context: CliContext): Promise<void> {
  const peers = (options.peer ?? []).map(parsePeerAddress);
  const listenPort = parsePort(options.port);
  if (options.servePort !== undefined && !options.serve) throw new UsageError('--serve-port needs --serve');
  const servePort = parsePort(options.servePort ?? '0', '--serve-port');
  const parsed = await readTorrentInput(input);
  for (const url of options.tracker ?? []) {
    if (!isTrackerUrl(url))
      throw new UsageError(`--tracker ${safeText(url)}: expected an http, https or udp URL`);
  }
  const extraTiers = (options.tracker ?? []).map((url) => [url]);
  // A torrent's own tiers come first, then one tier per --tracker; a magnet link's `tr` are added by the session.
  const source: TorrentSource =
    parsed.kind === 'torrent'
      ? { kind: 'torrent', metainfo: parsed.metainfo }
      : { kind: 'magnet', link: parsed.link };
  const trackers = parsed.kind === 'torrent' ? [...parsed.metainfo.announce, ...extraTiers] : extraTiers;
  const known =
    parsed.kind === 'torrent'
      ? trackers.length
      : parsed.link.trackers.length + parsed.link.peers.length + trackers.length;
  const privateTorrent = parsed.kind === 'torrent' && parsed.metainfo.private;
  if (peers.length === 0 && known === 0 && (options.dht === false || privateTorrent)) {
    throw new UsageError(
      'no way to find peers: no tracker, and the DHT is off (--no-dht or a private torrent); give --peer HOST:PORT or --tracker URL',
    );
  }
  let selectOnly: readonly IndexRange[] | undefined;
  if (parsed.kind === 'torrent') {
    selectOnly = selectedRanges(parsed.metainfo.files.length, options.select, options.exclude);
  } else {
    if (options.exclude !== undefined)
      throw new UsageError('--exclude needs the file list: use it with a .torrent file, or --select');
    selectOnly = options.select !== undefined ? parseIndexRanges('--select', options.select) : undefined;
  }
  await ensureDownloadFolder(options.output);
  const resume = resumeStoreFrom(options);
  const result = await runTorrent({
    ...(context.platform && { platform: context.platform }),
    source,
    ...(selectOnly && { selectOnly }),
    ...(options.sequential && { sequential: true }),
    savePath: options.output,
    peers,
    trackers,
    listenHost: options.listen,
    listenPort,
    // Serving keeps the process up after the download completes, until Ctrl-C.
    keepSeeding: options.seed === true || options.serve === true,
    ...(options.serve && {
      onTorrent: (torrent: Torrent) =>
        serveAndPrint(torrent, servePort, context.stdout, options.json === true),
    }),
    quiet: options.quiet === true,
    showFiles: options.files === true,
    stderr: context.stderr,
    ...(options.json && { events: context.stdout }),
    dht: options,
    limits: rateLimits(options),
    ...(resume && { resume }),
    ...(options.recheck && { recheck: true }),
    ...(!options.directIo && { directWrites: false }),
  });
  if (result.outcome === 'error') throw result.error;
  if (result.outcome === 'interrupted') {
    context.setExitCode((result.status?.progress ?? 0) >= 1 ? ExitCode.OK : ExitCode.INTERRUPTED);
    return;
  }
  if (!options.quiet && !options.json) {
    context.stdout.write(
      `${safeText(result.status?.name ?? '')}: complete and verified in ${options.output}\n`,
    );
  }
}

const EXAMPLES = `
Examples:
  bitloom download ubuntu.torrent -o ~/Downloads
  bitloom download "magnet:?xt=urn:btih:…&tr=udp://tracker.example:6969" -o ~/Downloads
  bitloom download album.torrent --select 0,2-4 --files
  bitloom download file.torrent --peer 192.0.2.7:6881 --max-down 2M
  bitloom download file.torrent --json | jq -c 'select(.event == "progress") | .progress'
  bitloom download file.torrent --peer 127.0.0.1:51413 --seed
  bitloom download movie.torrent --serve --serve-port 8080   (then open http://127.0.0.1:8080/ in a player)

Progress goes to stderr: redrawn in place on a terminal, a plain line every 5 s otherwise.
Exit codes: 0 complete, 1 failed, 2 usage error, 130 interrupted (Ctrl-C; press it twice to quit at once).`;

export function register(program: Command, context: CliContext): void {
  const command = program
    .command('download')
    .description('download a torrent, verify every piece, and exit when complete')
    .argument('<torrent>', '.torrent file or magnet link')
    .option('-o, --output <dir>', 'download directory', '.')
    .option('--peer <host:port>', 'connect to this peer (repeatable)', collect)
    .option(
      '-t, --tracker <url>',
      "also announce to this tracker (repeatable; the torrent's own are used too)",
      collect,
    )
    .option('--port <n>', 'port to accept peers on (0: any free port)', '0')
    .option('--listen <address>', 'address to accept peers on', '0.0.0.0')
    .option(
      '--select <indices>',
      'download only these files, by index as `bitloom info` shows them (e.g. 0,2-4)',
    )
    .option('--exclude <indices>', 'download every file but these (e.g. 1,5-7)')
    .option('--sequential', 'download pieces in order (each is still verified)')
    .option('--seed', 'keep seeding after the download completes, until interrupted')
    .option(
      '--serve',
      'serve the files over HTTP on 127.0.0.1 while downloading (range requests; prints the URLs); keeps running until interrupted',
    )
    .option('--serve-port <n>', 'port for --serve (0: any free port; default 0)')
    .option('--max-down <rate>', 'download limit per second, e.g. 2M or 500K (default: none)', parseByteSize)
    .option('--max-up <rate>', 'upload limit per second, e.g. 500K (default: none)', parseByteSize)
    .option('--no-dht', 'do not use the DHT to find peers')
    .option(
      '--no-direct-io',
      'write only through the page cache (default: large aligned writes skip it, O_DIRECT)',
    )
    .option(
      '--dht-bootstrap <host:port>',
      'bootstrap the DHT from this node (repeatable; default: public routers)',
      collect,
    );
  addDisplayOptions(addResumeOptions(command))
    .addHelpText('after', EXAMPLES)
    .action((input: string, options: DownloadOptions) =>
      withJsonErrors(options.json === true, context.stdout, () => run(input, options, context)),
    );
}
