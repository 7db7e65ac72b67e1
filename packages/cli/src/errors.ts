/**
 * Turning any error into one clear line on stderr and an exit code (see exit-codes.ts). Stack traces and
 * causes are printed only with `--verbose`: a user who typed a wrong path needs the path, not a trace.
 */
import { BitloomError } from '@bitloom/engine';
import { CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { hintFor } from './error-hints.js';
import { ExitCode } from './exit-codes.js';
import { oneLine } from './format.js';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends BitloomError {
  constructor(message: string) {
    super('CLI_USAGE', message);
    this.name = 'UsageError';
  }
}

/** Error codes from the engine that mean "the user asked for something impossible", not "it failed". */
const USAGE_CODES = new Set(['CLI_USAGE', 'METAINFO_BAD_OPTIONS']);

/** commander codes that are not failures. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.version']);

interface SystemError extends Error {
  code?: string;
  path?: string;
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
};

/** The one-line message for an error, in words rather than errno codes where possible. */
export function describeError(error: unknown): string {
  if (error instanceof BitloomError) return error.message;
  if (error instanceof Error) {
    const { code, path } = error as SystemError;
    const known = code === undefined ? undefined : SYSTEM_MESSAGES[code];
    if (known !== undefined && path !== undefined) return `${path}: ${known}`;
    return error.message;
  }
  return String(error);
}

/** The exit code an error means. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return COMMANDER_SUCCESS.has(error.code) ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof BitloomError && USAGE_CODES.has(error.code)) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}

function writeDetails(error: unknown, context: CliContext): void {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = current instanceof BitloomError ? ` [${current.code}]` : '';
      context.stderr.write(`${depth === 0 ? '' : 'caused by: '}${current.stack ?? current.message}${code}\n`);
      current = current.cause;
    } else {
      context.stderr.write(`caused by: ${String(current)}\n`);
      current = undefined;
    }
  }
}

/** Reports `error` on stderr (one line, or details with --verbose) and returns the exit code. */
export function reportError(error: unknown, context: CliContext): number {
  // commander has already printed its own message through the program's outputError.
  if (!(error instanceof CommanderError)) {
    const hint = hintFor(error);
    context.stderr.write(
      `bitloom: ${oneLine(describeError(error))}${hint === undefined ? '' : `; ${hint}`}\n`,
    );
    if (context.verbose) writeDetails(error, context);
  }
  return exitCodeFor(error);
}
