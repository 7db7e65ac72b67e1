/**
 * Builds the `bitloom` commander program. Commands live one per file in `src/commands/` and are found at run
 * time: each module exports `register(program, context)` and adds its command with `program.command(…)`, so
 * a new command is a new file and nothing else. (Commands created with `program.command` inherit the error
 * and output settings made here; a `new Command()` added with `addCommand` would not.)
 */
import { readdirSync } from 'node:fs';
import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { oneLine } from './format.js';
import { cliVersion } from './version.js';

/** What a file in `src/commands/` exports. */
export interface CommandModule {
  register(program: Command, context: CliContext): void;
}

const COMMANDS_DIRECTORY = new URL('./commands/', import.meta.url);

/** Compiled `.js` files when running from `dist`, `.ts` sources under vitest; never declarations or tests. */
const COMMAND_FILE = /^[a-z0-9-]+\.(?:js|ts)$/;

async function loadCommandModules(): Promise<CommandModule[]> {
  const files = readdirSync(COMMANDS_DIRECTORY)
    .filter((file) => COMMAND_FILE.test(file) && !file.endsWith('.d.ts'))
    .sort();
  const modules: CommandModule[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, COMMANDS_DIRECTORY).href)) as Partial<CommandModule>;
    if (typeof module.register === 'function') modules.push(module as CommandModule);
  }
  return modules;
}

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
export async function buildProgram(context: CliContext): Promise<Command> {
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
  for (const module of await loadCommandModules()) module.register(program, context);
  return program;
}
