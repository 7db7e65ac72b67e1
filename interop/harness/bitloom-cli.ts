/**
 * The `bitloom` command as interop tests run it: built first as `npm run build` builds it (incremental `tsc -b`,
 * which still emits when a file has a type error, so its output only goes into failure messages; then the bundle
 * bin/bitloom.js loads), then started as a child process.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonLineChild } from './child-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BITLOOM_BIN = join(REPO_ROOT, 'packages/cli/bin/bitloom.js');
const TSC = join(REPO_ROOT, 'node_modules/.bin/tsc');
const BUNDLE_SCRIPT = join(REPO_ROOT, 'scripts/bundle-cli.mjs');

/** Builds the CLI and what it imports; resolves with the failing step's output, '' when clean. */
export async function buildCli(): Promise<string> {
  const tscFailure = await runStep(TSC, ['-b', 'packages/cli']);
  const bundleFailure = await runStep(process.execPath, [BUNDLE_SCRIPT]);
  return [tscFailure, bundleFailure].filter((failure) => failure !== '').join('\n');
}

/** Runs one build step; resolves with its output when it failed, '' when it exited 0. */
async function runStep(command: string, args: string[]): Promise<string> {
  const step = new JsonLineChild(command, args, { cwd: REPO_ROOT });
  const status = await step.waitForExit(120_000);
  await step.stdoutClosed;
  return status === 0
    ? ''
    : `${[command, ...args].join(' ')} exited with ${status}:\n${step.rawLines.join('\n')}\n${step.stderr}`;
}

/** Starts `bitloom ARGS…` from the repository root, with `env` added to the environment. */
export function spawnBitloom(args: string[], env: Record<string, string> = {}): JsonLineChild {
  return new JsonLineChild(process.execPath, [BITLOOM_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}
