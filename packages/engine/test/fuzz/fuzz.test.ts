/**
 * Fuzzing every parser of untrusted bytes (see targets.ts). In CI each target gets a short, fixed-seed budget;
 * `npm run fuzz` runs the same properties for a time or run budget with a fresh seed and saves every failing input
 * into corpus/<target>/, which the second half of this file replays on every run: a failure found once stays a
 * test.
 *
 * Environment: FUZZ_RUNS=n (runs per target, default 200), FUZZ_SECONDS=s (time per target instead), FUZZ_TARGETS
 * (comma-separated names), FUZZ_SAVE=1 (write failing inputs to the corpus), FC_SEED (the seed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputsFor } from './inputs.js';
import { FUZZ_TARGETS } from './targets.js';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));
const runs = Number(process.env.FUZZ_RUNS ?? 200);
const seconds = process.env.FUZZ_SECONDS === undefined ? undefined : Number(process.env.FUZZ_SECONDS);
const chosen = process.env.FUZZ_TARGETS?.split(',').filter((name) => name !== '');
const targets = FUZZ_TARGETS.filter((t) => chosen === undefined || chosen.includes(t.name));

/** Keeps a failing input as corpus/<target>/<sha1 prefix>.bin; returns its path. */
function keep(target: string, input: Uint8Array): string {
  const folder = join(CORPUS, target);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `found-${createHash('sha1').update(input).digest('hex').slice(0, 12)}.bin`);
  writeFileSync(file, input);
  return file;
}

describe('fuzz: every parser on random and mutated input', () => {
  for (const target of targets) {
    it(
      `${target.name}: only typed errors, invariants hold`,
      async () => {
        const samples = await target.samples();
        for (const sample of samples) await target.check(sample);
        const property = fc.asyncProperty(inputsFor(samples), async (input) => {
          await target.check(input);
        });
        const result = await fc.check(
          property,
          seconds === undefined
            ? { numRuns: runs }
            : {
                numRuns: Number.MAX_SAFE_INTEGER,
                interruptAfterTimeLimit: seconds * 1000,
                markInterruptAsFailure: false,
              },
        );
        if (seconds !== undefined) console.log(`fuzz ${target.name}: ${result.numRuns} inputs`);
        if (result.failed) {
          const input = result.counterexample?.[0];
          const kept =
            process.env.FUZZ_SAVE === '1' && input instanceof Uint8Array
              ? ` (kept: ${keep(target.name, input)})`
              : '';
          throw new Error(`${fc.defaultReportMessage(result) ?? 'property failed'}${kept}`);
        }
      },
      (seconds ?? 0) * 1000 + 60_000,
    );
  }
});

describe('fuzz corpus: inputs kept from earlier runs', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: every kept input is handled`, async () => {
      const folder = join(CORPUS, target.name);
      const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.bin')) : [];
      // Each target starts with hand-picked hostile inputs, so this never passes by finding nothing.
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        await expect(
          Promise.resolve().then(() => target.check(new Uint8Array(readFileSync(join(folder, file))))),
          `${target.name}/${file}`,
        ).resolves.toBeUndefined();
      }
    });
  }
});
