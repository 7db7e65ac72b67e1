/**
 * Builds the `bitloom` commander program. Commands live one per file in `src/commands/`, listed in
 * `commands/index.ts`; each adds itself with `program.command(…)`, so it inherits the error and output settings
 * made here (a `new Command()` added with `addCommand` would not).
 */
import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { COMMANDS } from './commands/index.js';
import { oneLine } from './format.js';
import { cliVersion } from './version.js';

const PROGRAM_HELP = `
Examples:
  bitloom create ./photos -o photos.torrent -t udp://tracker.example:6969/announce
  bitloom info photos.torrent
  bitloom download photos.torrent -o ~/Downloads
  bitloom download "magnet:?xt=urn:btih:…" -o ~/Downloads --files
  bitloom seed photos.torrent --data ~/Downloads
  bitloom <command> --help

Exit codes:
  0    success
  1    the command failed (bad torrent, missing file, I/O or network failure)
  2    usage error (unknown command or flag, invalid argument)
  130  interrupted (Ctrl-C); a second Ctrl-C quits without waiting for trackers`;

/** The program with every command registered; parse it with `parseAsync(argv, { from: 'user' })`. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('bitloom')
    .description('A BitTorrent client: create, inspect, download and seed torrents.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces and causes of errors')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      // commander's messages start with "error: "; keep one line, prefixed like every other error.
      outputError: (text, write) => write(`bitloom: ${oneLine(text.replace(/^error: /, ''))}\n`),
    });
  program.addHelpText('after', PROGRAM_HELP);
  for (const command of COMMANDS) command.register(program, context);
  return program;
}
