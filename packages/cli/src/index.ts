/**
 * The `bitloom` command-line client. `main` runs one invocation and returns its exit code (exit-codes.ts);
 * `bin/bitloom.js` calls it with the process arguments.
 */
import type { CliContext, CliIO } from './cli-context.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';

export type { CliContext, CliIO, OutputStream } from './cli-context.js';
export { stopOnClosedOutput } from './closed-output.js';
export { ExitCode } from './exit-codes.js';

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code. Never
 * rejects: every error becomes one line on `io.stderr`.
 */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const context: CliContext = {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.platform && { platform: io.platform }),
    verbose: argv.includes('--verbose'),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  try {
    const program = buildProgram(context);
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return ExitCode.USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, context);
  }
}
