/** Runs `main` in-process with captured output, as the CLI tests' harness. */
import type { NodePlatform } from '@bitloom/node';
import { main } from '../src/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  options: { tty?: boolean; platform?: NodePlatform } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty ?? false },
    ...(options.platform && { platform: options.platform }),
  });
  return { code, stdout, stderr };
}
