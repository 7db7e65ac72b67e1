#!/usr/bin/env node
import { main, stopOnClosedOutput } from '../dist/index.js';

// A closed pipe on stdout or stderr stops the run as Ctrl-C would (SIGINT listeners), instead of crashing.
for (const stream of [process.stdout, process.stderr])
  stopOnClosedOutput(stream, () => process.emit('SIGINT'));

process.exitCode = await main(process.argv.slice(2));
