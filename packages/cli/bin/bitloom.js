#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation grows to 32 MiB under a download's allocation rate, with a few
// MiB live in it; capped at 4 MiB semi-spaces a 1 GiB download peaks 15-20 MiB lower (bench scenario 1: 164-175
// MiB against 184-193) for a few hundredths of a second more collection. Node refuses to take it at run time.
// One bundled file (scripts/bundle-cli.mjs, run by `npm run build`): Node loads it far faster than ~200 modules.
import { main, stopOnClosedOutput } from '../dist/bitloom.bundle.js';

// A closed pipe on stdout or stderr stops the run as Ctrl-C would (SIGINT listeners), instead of crashing.
for (const stream of [process.stdout, process.stderr])
  stopOnClosedOutput(stream, () => process.emit('SIGINT'));

process.exitCode = await main(process.argv.slice(2));
