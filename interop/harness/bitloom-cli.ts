/**
 * The `bitloom` command as interop tests run it: built first (incremental `tsc -b`, which still emits when a file
 * has a type error, so its output only goes into failure messages), then started as a child process.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonLineChild } from './child-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BITLOOM_BIN = join(REPO_ROOT, 'packages/cli/bin/bitloom.js');
const TSC = join(REPO_ROOT, 'node_modules/.bin/tsc');

/** Builds the CLI and what it imports; resolves with tsc's output when it failed, '' when clean. */
export async function buildCli(): Promise<string> {
  const tsc = new JsonLineChild(TSC, ['-b', 'packages/cli'], { cwd: REPO_ROOT });
  const status = await tsc.waitForExit(120_000);
  await tsc.stdoutClosed;
  return status === 0 ? '' : `tsc -b exited with ${status}:\n${tsc.rawLines.join('\n')}\n${tsc.stderr}`;
}

/** Starts `bitloom ARGS…` from the repository root, with `env` added to the environment. */
export function spawnBitloom(args: string[], env: Record<string, string> = {}): JsonLineChild {
  return new JsonLineChild(process.execPath, [BITLOOM_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}
