/**
 * What every command gets from `main`: where to write (so tests can capture output) and how to report an
 * exit code other than success without throwing.
 */
import type { NodePlatform } from '@bitloom/node';

/** A text sink: `process.stdout`, `process.stderr`, or a test buffer. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when a person is watching: progress lines are drawn only then. */
  readonly isTTY?: boolean;
}

/** The streams a run of `main` writes to, and what its sessions run on. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The platform the commands' sessions run on; default Node's own (tests pass one with faults injected). */
  readonly platform?: NodePlatform;
}

/** Passed to each command's `register`. */
export interface CliContext extends CliIO {
  /** `--verbose` was given: errors print their stack and causes. */
  readonly verbose: boolean;
  /** Sets the code `main` returns when the command finishes without throwing (default 0). */
  setExitCode(code: number): void;
}
