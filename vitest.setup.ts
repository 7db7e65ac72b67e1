import fc from 'fast-check';

// Property tests are deterministic in CI: one fixed seed for every fc.assert that does not set its own.
// Explore other inputs with FC_SEED=<n> npx vitest run; a failing seed found that way becomes a regression test.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20_261_125) });
