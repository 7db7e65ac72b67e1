/**
 * `bitloom seed <torrent> --data DIR [--port N]`: checks the data in DIR against the torrent, then seeds what
 * verifies until SIGINT/SIGTERM, stopping cleanly.
 */
import type { Command } from 'commander';
import { collect, parseByteSize } from '../arguments.js';
import type { CliContext } from '../cli-context.js';
import type { DhtCliOptions } from '../dht-options.js';
import { addDisplayOptions, type DisplayFlags } from '../display-flags.js';
import { ExitCode } from '../exit-codes.js';
import { eventLine, withJsonErrors } from '../ndjson.js';
import { parsePort } from '../peer-address.js';
import { type RateLimitFlags, rateLimits } from '../rate-limit-flags.js';
import { addResumeOptions, type ResumeFlags, resumeStoreFrom } from '../resume-options.js';
import { runTorrent } from '../run-torrent.js';
import { readTorrentFile } from '../torrent-input.js';

interface SeedOptions extends DhtCliOptions, RateLimitFlags, DisplayFlags, ResumeFlags {
  data: string;
  port: string;
  listen: string;
  directIo: boolean;
}

async function run(input: string, options: SeedOptions, context: CliContext): Promise<void> {
  const metainfo = await readTorrentFile(input);
  const resume = resumeStoreFrom(options);
  const result = await runTorrent({
    ...(context.platform && { platform: context.platform }),
    source: { kind: 'torrent', metainfo },
    savePath: options.data,
    peers: [],
    listenHost: options.listen,
    listenPort: parsePort(options.port),
    keepSeeding: true,
    quiet: options.quiet === true,
    showFiles: options.files === true,
    ...(options.json && { events: context.stdout }),
    stderr: context.stderr,
    dht: options,
    limits: rateLimits(options),
    ...(resume && { resume }),
    ...(options.recheck && { recheck: true }),
    ...(!options.directIo && { directWrites: false }),
    onListening: (session) => {
      context.stdout.write(
        options.json
          ? eventLine('listening', { port: session.listenPort })
          : `listening on port ${session.listenPort}\n`,
      );
    },
  });
  if (result.outcome === 'error') throw result.error;
  context.setExitCode(ExitCode.OK);
}

const EXAMPLES = `
Examples:
  bitloom seed movie.torrent --data ~/Videos --port 6881
  bitloom seed album.torrent --data ~/Music --max-up 500K --files
  bitloom seed file.torrent --data . --json

Runs until Ctrl-C or SIGTERM (exit code 0); a second Ctrl-C quits at once (130).`;

export function register(program: Command, context: CliContext): void {
  const command = program
    .command('seed')
    .description('verify existing data and seed it until interrupted')
    .argument('<torrent>', '.torrent file')
    .requiredOption('--data <dir>', 'directory holding the torrent data (as `download -o` would create it)')
    .option('--port <n>', 'port to accept peers on (0: any free port)', '6881')
    .option('--listen <address>', 'address to accept peers on', '0.0.0.0')
    .option('--max-down <rate>', 'download limit per second, e.g. 2M or 500K (default: none)', parseByteSize)
    .option('--max-up <rate>', 'upload limit per second, e.g. 500K (default: none)', parseByteSize)
    .option('--no-dht', 'do not use the DHT to find peers')
    .option(
      '--dht-bootstrap <host:port>',
      'bootstrap the DHT from this node (repeatable; default: public routers)',
      collect,
    )
    .option(
      '--no-direct-io',
      'write pieces it fetches only through the page cache (default: O_DIRECT where possible)',
    );
  addDisplayOptions(addResumeOptions(command))
    .addHelpText('after', EXAMPLES)
    .action((input: string, options: SeedOptions) =>
      withJsonErrors(options.json === true, context.stdout, () => run(input, options, context)),
    );
}
