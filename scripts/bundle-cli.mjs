/**
 * Bundles the compiled CLI (packages/cli/dist/index.js, from `tsc -b`) with everything it imports except Node's
 * own modules into one file, packages/cli/dist/bitloom.bundle.js, which bin/bitloom.js loads. Why: Node 20 loads
 * ES modules one file at a time, and the CLI's ~200 files took ~75-100 ms of CPU before a download could start
 * (`bitloom --version` 0.16-0.18 s against 0.07 s for `node -e 0`). Run by `npm run build` after tsc.
 *
 * The file is replaced only when its content changes, and then by a rename: interop test files build the CLI
 * concurrently while others may be starting it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const cli = (path) => fileURLToPath(new URL(`../packages/cli/${path}`, import.meta.url));
const target = cli('dist/bitloom.bundle.js');

const { output } = await build({
  input: cli('dist/index.js'),
  platform: 'node',
  logLevel: 'warn',
  write: false,
  output: { format: 'esm' },
});
if (output.length !== 1 || output[0].type !== 'chunk')
  throw new Error(`expected one chunk, got ${output.length}`);
const code = output[0].code;

let current;
try {
  current = readFileSync(target, 'utf8');
} catch {
  current = undefined;
}
if (current !== code) {
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, target);
}
