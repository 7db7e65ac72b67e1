/**
 * The exit codes of the `bitloom` command. Scripts rely on them, so they only ever grow.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success (also `--help` and `--version`) |
 * | 1 | the command failed: bad or unreadable torrent, missing file, I/O or network failure |
 * | 2 | usage error: unknown command or flag, missing or invalid argument |
 * | 130 | interrupted (Ctrl-C / SIGINT), the shell convention 128 + 2 |
 *
 * Trackers are outside the user's control and often down, so their failures are reported, not exit codes:
 * `info --scrape` exits 0 once the torrent was read, with one error line per tracker that failed, and
 * `download` keeps trying its trackers (and peers) rather than exiting.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
