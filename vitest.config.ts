import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the packages by name; resolve them to their sources so no build is needed to run unit tests.
const alias = {
  '@bitloom/engine': src('engine'),
  '@bitloom/node': src('node'),
  '@bitloom/testkit': src('testkit'),
  '@bitloom/cli': src('cli'),
};

// No test may reach a DHT router on the internet: an empty bootstrap list for every bitloom the tests start.
// Nor write resume data or DHT nodes into the user's ~/.local/state: a fresh state folder per run.
const env = {
  BITLOOM_DHT_BOOTSTRAP: '',
  XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'bitloom-test-state-')),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          env,
          include: ['packages/*/test/**/*.test.ts'],
          setupFiles: ['./vitest.setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'interop',
          env,
          include: ['interop/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          // Real clients are heavy on a 2-core machine: run interop files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
