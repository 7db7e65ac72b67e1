/**
 * A real client as a child process that talks in JSON lines on stdout: the plumbing under the libtorrent and
 * WebTorrent wrappers. It keeps every line and all of stderr (for failure messages), lets a test wait for a
 * line, and stops the child by its PID — never by name, so other tests' clients are left alone.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One parsed stdout line (anything that is not a JSON object is kept as `{ text }`). */
export type JsonLine = Record<string, unknown>;

export class JsonLineChild {
  readonly lines: JsonLine[] = [];
  /** The same lines as text. */
  readonly rawLines: string[] = [];
  stderr = '';
  readonly pid: number;
  /** Settles when the child's stdout has closed (every line is in `lines`). */
  readonly stdoutClosed: Promise<void>;
  /** Settles when the child has exited, with its exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #description: string;
  readonly #waiters = new Set<() => void>();
  #exitStatus: number | string | undefined;

  constructor(
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.#description = [command, ...args].join(' ');
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    this.#child = child;
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        // Spawn failures (ENOENT: the tool is not installed) must fail the test loudly.
        this.stderr += `spawn failed: ${error.message}\n`;
        this.#exitStatus = -1;
        this.#wake();
        resolve(-1);
      });
      child.on('exit', (code, signal) => {
        this.#exitStatus = code ?? signal ?? -1;
        this.#wake();
        resolve(this.#exitStatus);
      });
    });
    this.pid = child.pid ?? -1;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.stderr += text;
    });
    const reader = createInterface({ input: child.stdout });
    this.stdoutClosed = new Promise((resolve) => reader.on('close', resolve));
    reader.on('line', (line) => {
      this.rawLines.push(line);
      this.lines.push(parseLine(line));
      this.#wake();
    });
  }

  get exitStatus(): number | string | undefined {
    return this.#exitStatus;
  }

  /** Waits for a stdout line matching `predicate`; rejects with the child's stderr if it exits or times out. */
  waitForLine(predicate: (line: JsonLine) => boolean, timeoutMs: number): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(predicate);
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (this.#exitStatus !== undefined) {
          done();
          reject(this.failure(`exited with ${this.#exitStatus} before the expected line`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(this.failure(`no expected line within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for the child to exit; rejects (with its stderr) if it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<number | string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure(`still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** An Error naming the command, with the tail of its stderr and its last stdout lines. */
  failure(what: string): Error {
    const lastLines = this.lines.slice(-5).map((line) => JSON.stringify(line));
    return new Error(
      `${this.#description}: ${what}\n--- stderr ---\n${this.stderr.slice(-4000)}\n--- last stdout lines ---\n${lastLines.join('\n')}`,
    );
  }

  /** Sends `signal` to the child (by PID), e.g. SIGINT as Ctrl-C would; nothing once it has exited. */
  signal(signal: NodeJS.Signals): void {
    this.#signal(signal);
  }

  /** Closes stdin, then SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exitStatus !== undefined) return;
    this.#child.stdin.end();
    this.#signal('SIGTERM');
    const timer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#exitStatus !== undefined || this.pid < 0) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

function parseLine(line: string): JsonLine {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonLine;
  } catch {
    // Not JSON: keep the text.
  }
  return { text: line };
}

/** Runs a command to completion; rejects with its stderr when it fails or is missing. */
export async function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  const child = new JsonLineChild(command, args);
  let status: number | string;
  try {
    status = await child.waitForExit(timeoutMs);
  } catch (error) {
    await child.stop();
    throw error;
  }
  if (status !== 0) throw child.failure(`exited with ${status}`);
  // The exit event can precede the last stdout lines: wait for stdout to close.
  await child.stdoutClosed;
  return { stdout: child.rawLines.join('\n'), stderr: child.stderr };
}
