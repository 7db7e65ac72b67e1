/**
 * The output flags `download` and `seed` share, declared once so they read the same in both: `--files`
 * (per-file progress), `--json` (NDJSON events on stdout instead of the display) and `-q, --quiet`.
 */
import type { Command } from 'commander';

export interface DisplayFlags {
  files?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function addDisplayOptions(command: Command): Command {
  return command
    .option('--files', 'show per-file progress (with --json: a fileList and per-file progress in events)')
    .option('--json', 'NDJSON events on stdout for scripts: metadata, progress, piece-failed, done, error')
    .option('-q, --quiet', 'no progress output');
}
