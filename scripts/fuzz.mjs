#!/usr/bin/env node
// Long fuzzing runs of every parser (packages/engine/test/fuzz): the CI properties with a bigger budget and a fresh
// seed. A failing input is written to packages/engine/test/fuzz/corpus/<target>/, where the unit tests replay it.
//
//   npm run fuzz -- [--time <seconds per target>] [--runs <inputs per target>] [--target bencode,wire] [--seed n]
//
// Default: 60 seconds per target, a random seed (printed, so a run can be repeated).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    time: { type: 'string' },
    runs: { type: 'string' },
    target: { type: 'string' },
    seed: { type: 'string' },
  },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const env = { ...process.env, FUZZ_SAVE: '1', FC_SEED: seed };
if (values.runs !== undefined) env.FUZZ_RUNS = values.runs;
else env.FUZZ_SECONDS = values.time ?? '60';
if (values.target !== undefined) env.FUZZ_TARGETS = values.target;
console.log(
  `fuzzing with seed ${seed}, ${values.runs !== undefined ? `${values.runs} inputs` : `${env.FUZZ_SECONDS} s`} per target`,
);
const result = spawnSync(
  'npx',
  ['vitest', 'run', '--project', 'unit', 'packages/engine/test/fuzz/fuzz.test.ts', '-t', 'fuzz:'],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
