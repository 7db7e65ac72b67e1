/**
 * Real DHT nodes (BEP 5) as child processes for interop tests: libtorrent through `dht-libtorrent.py` and npm
 * `bittorrent-dht` through `dht-webtorrent.mjs`. Both speak JSON lines: commands on stdin, events on stdout.
 * Every node binds 127.0.0.1 and bootstraps only from the addresses given; each child is stopped by its PID.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SYSTEM_PYTHON = '/usr/bin/python3';
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./dht-libtorrent.py', import.meta.url));
const WEBTORRENT_SCRIPT = fileURLToPath(new URL('./dht-webtorrent.mjs', import.meta.url));

export type DhtEvent = Record<string, unknown> & { event?: string };

/** A DHT node in a child process. */
export class DhtChild {
  readonly events: DhtEvent[] = [];
  stderr = '';
  /** The UDP port the node listens on (from its `ready` event). */
  port = 0;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #name: string;
  readonly #waiters = new Set<() => void>();
  #exited = false;
  readonly #exit: Promise<void>;

  constructor(name: string, command: string, args: string[]) {
    this.#name = name;
    this.#child = spawn(command, args, { stdio: 'pipe' });
    this.#exit = new Promise((resolve) => {
      this.#child.on('exit', () => {
        this.#exited = true;
        this.#wake();
        resolve();
      });
      this.#child.on('error', (error) => {
        this.stderr += `spawn failed: ${error.message}\n`;
        this.#exited = true;
        this.#wake();
        resolve();
      });
    });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (text: string) => {
      this.stderr += text;
    });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as DhtEvent);
      } catch {
        this.events.push({ text: line });
      }
      this.#wake();
    });
  }

  /** Sends one command line. */
  send(command: Record<string, unknown>): void {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** Waits for an event matching `predicate` (also one that came earlier). */
  waitFor(predicate: (event: DhtEvent) => boolean, timeoutMs: number, what = 'event'): Promise<DhtEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(predicate);
        if (found !== undefined) {
          finish();
          resolve(found);
        } else if (this.#exited) {
          finish();
          reject(this.#failure(`exited before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(this.#failure(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Closes stdin (the script exits on its own), then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exited) return;
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exit;
    clearTimeout(timer);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #failure(what: string): Error {
    const last = this.events.slice(-5).map((event) => JSON.stringify(event));
    return new Error(
      `${this.#name}: ${what}\n--- stderr ---\n${this.stderr.slice(-3000)}\n--- last events ---\n${last.join('\n')}`,
    );
  }
}

async function started(child: DhtChild): Promise<DhtChild> {
  const ready = await child.waitFor((event) => event.event === 'ready', 20_000, 'ready');
  child.port = Number(ready.port);
  if (!(child.port > 0)) throw new Error(`DHT child reported no port: ${JSON.stringify(ready)}`);
  return child;
}

/** Starts a libtorrent DHT node on 127.0.0.1 bootstrapping from `bootstrap` (`host:port` strings). */
export function startLibtorrentDht(bootstrap: readonly string[]): Promise<DhtChild> {
  const args = [LIBTORRENT_SCRIPT, ...bootstrap.flatMap((node) => ['--node', node])];
  if (process.env.DHT_INTEROP_LOG) args.push('--log');
  return started(new DhtChild('libtorrent DHT', SYSTEM_PYTHON, args));
}

/** Starts a `bittorrent-dht` node on 127.0.0.1 bootstrapping from `bootstrap` (`host:port` strings). */
export function startWebtorrentDht(bootstrap: readonly string[]): Promise<DhtChild> {
  return started(new DhtChild('bittorrent-dht', process.execPath, [WEBTORRENT_SCRIPT, '0', ...bootstrap]));
}
