/**
 * Every `bitloom` command, in the order `bitloom --help` lists them. A new command is a file in this folder that
 * exports `register(program, context)`, and one line here. (A static list rather than a directory scan: the
 * built CLI is one bundled file, and a bundle can only hold what is imported by name.)
 */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import * as create from './create.js';
import * as demo from './demo.js';
import * as download from './download.js';
import * as info from './info.js';
import * as seed from './seed.js';

/** What a command file exports. */
export interface CommandModule {
  register(program: Command, context: CliContext): void;
}

export const COMMANDS: readonly CommandModule[] = [create, demo, download, info, seed];
