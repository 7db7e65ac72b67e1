/**
 * Resume data for `download` and `seed`: kept in `$XDG_STATE_HOME/bitloom/resume` (default
 * `~/.local/state/bitloom/resume`), one file per torrent, so a restart skips hashing data it already verified.
 * `--no-resume` neither reads nor writes it; `--recheck` ignores what is saved and hashes every piece.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResumeStore } from '@bitloom/engine';
import { createFileResumeStore } from '@bitloom/node';
import type { Command } from 'commander';

export interface ResumeFlags {
  /** commander's `--no-resume` sets this false. */
  resume?: boolean;
  recheck?: boolean;
}

/** The folder resume files go to. */
export function resumeDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'bitloom', 'resume');
}

/** The store for these flags, or undefined with `--no-resume`. */
export function resumeStoreFrom(flags: ResumeFlags): ResumeStore | undefined {
  return flags.resume === false ? undefined : createFileResumeStore(resumeDir());
}

export function addResumeOptions(command: Command): Command {
  return command
    .option('--recheck', 'hash-check every piece on disk instead of trusting saved resume data')
    .option('--no-resume', 'neither read nor save resume data (every start hash-checks the data)');
}
