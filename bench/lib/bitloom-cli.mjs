/**
 * How the bench starts the `bitloom` command: with this Node.js binary, the flags the bin script's
 * `#!/usr/bin/env -S node …` line gives (so it runs as a user's shell would run it), and any extra flags from
 * `BENCH_BITLOOM_NODE_ARGS` (space-separated; for profiling, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which
 * Node refuses in NODE_OPTIONS).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BITLOOM_BIN = fileURLToPath(new URL('../../packages/cli/bin/bitloom.js', import.meta.url));

/** The Node.js flags on a script's first line, after `node`. */
export function shebangNodeArgs(script) {
  const words = readFileSync(script, 'utf8').split('\n', 1)[0].replace(/^#!/, '').trim().split(/\s+/);
  const node = words.indexOf('node');
  return node < 0 ? [] : words.slice(node + 1);
}

/** Arguments for `process.execPath` that run the bitloom bin script (or `script`) with `args`. */
export function bitloomCliArgs(args, script = BITLOOM_BIN) {
  const extra = (process.env.BENCH_BITLOOM_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  return [...shebangNodeArgs(script), ...extra, script, ...args];
}
