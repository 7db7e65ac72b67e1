/** `bitloom download --serve` flags: usage errors come before anything is read or started. */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { runCli } from './run-cli.js';

describe('download --serve flags', () => {
  it('--serve-port without --serve is a usage error', async () => {
    const run = await runCli(['download', 'missing.torrent', '--serve-port', '8080']);
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.stderr).toContain('--serve-port needs --serve');
  });

  it('a --serve-port that is not a port is a usage error naming the flag', async () => {
    const run = await runCli(['download', 'missing.torrent', '--serve', '--serve-port', '70000']);
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.stderr).toContain('--serve-port 70000: expected 0-65535');
  });

  it('--help lists both flags', async () => {
    const run = await runCli(['download', '--help']);
    expect(run.stdout).toContain('--serve');
    expect(run.stdout).toContain('--serve-port <n>');
  });
});
