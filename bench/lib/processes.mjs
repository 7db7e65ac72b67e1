/**
 * Child processes of the benchmark: every one is spawned in a process group of its own, remembered, and stopped
 * by that group's id (never by name), on success, on timeout and on Ctrl-C. `runMeasured` runs one leecher under
 * GNU time, which reports the user+sys CPU seconds of the process and every descendant it waited for, and the
 * peak resident set size of the largest process in the tree.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const OUTPUT_TAIL_CHARS = 4000;
const KILL_GRACE_MS = 3000;
const STDOUT_DRAIN_MS = 1000;

/** Every child still running, by pid (each the leader of its own process group). */
const running = new Map();

/** Spawns `command` in its own process group and tracks it until it exits. */
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true, stdio: options.stdio ?? 'pipe' });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  if (child.pid !== undefined) running.set(child.pid, child);
  exited.then(() => running.delete(child.pid));
  const output = { text: '' };
  const keepTail = (chunk) => {
    output.text = (output.text + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  return { child, exited, output };
}

/** SIGTERM to the child's process group, SIGKILL if it is still there after a grace period. */
export async function stopGroup(tracked) {
  const { child, exited } = tracked;
  if (child.pid === undefined) return exited;
  let timer;
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup(child.pid, 'SIGTERM');
    timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
  }
  const result = await exited;
  clearTimeout(timer);
  // The leader may be gone while others in its group linger (e.g. GNU time's child): finish them.
  signalGroup(child.pid, 'SIGKILL');
  return result;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every tracked process group at once; for Ctrl-C and fatal errors. */
export function killAllTracked() {
  for (const pid of running.keys()) signalGroup(pid, 'SIGKILL');
}

/** Calls `onLine` with each JSON value printed one a line on `stream`; other lines are skipped. */
function onJsonLines(stream, onLine) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // Not JSON: a log line.
      }
      onLine(parsed);
    }
  });
}

function drained(stream) {
  if (stream.closed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, STDOUT_DRAIN_MS);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves with the first JSON line on the child's stdout that satisfies `predicate`, or rejects on exit/timeout. */
export function waitForJsonLine(tracked, predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (predicate(parsed)) {
          finish();
          resolve(parsed);
          return;
        }
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms; output: ${tracked.output.text}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      tracked.child.stdout.off('data', onData);
    };
    tracked.child.stdout.on('data', onData);
    tracked.exited.then(({ code, signal }) => {
      finish();
      reject(new Error(`${what} exited (code ${code}, signal ${signal}): ${tracked.output.text}`));
    });
  });
}

/**
 * Runs one command to its end under GNU time, with a deadline. The wall time ends when the command prints a JSON
 * line matching `isCompletionLine` (for clients that announce completion before a slow shutdown), else at exit.
 * @returns {{ ok, exitCode, timedOut, wallSeconds, exitSeconds, completionLineSeen, cpuUserSeconds,
 *   cpuSystemSeconds, peakRssBytes, output }}
 */
export async function runMeasured(command, args, { cwd, env, timeoutMs, scratchDir, isCompletionLine }) {
  const timeFile = join(scratchDir, `time-${process.pid}-${Date.now()}.txt`);
  const startedAt = process.hrtime.bigint();
  const secondsSinceStart = () => Number(process.hrtime.bigint() - startedAt) / 1e9;
  const tracked = spawnTracked(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args], {
    cwd,
    ...(env && { env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let completionSeconds = null;
  if (isCompletionLine) {
    onJsonLines(tracked.child.stdout, (line) => {
      if (completionSeconds === null && isCompletionLine(line)) completionSeconds = secondsSinceStart();
    });
  }
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    stopGroup(tracked);
  }, timeoutMs);
  const { code, error } = await tracked.exited;
  const exitSeconds = secondsSinceStart();
  clearTimeout(deadline);
  await stopGroup(tracked);
  // 'exit' can come before the last stdout chunk was read; a completion line read late counts as the exit time.
  await drained(tracked.child.stdout);
  const usage = await readTimeFile(timeFile);
  await rm(timeFile, { force: true });
  return {
    ok: !timedOut && code === 0 && !error,
    exitCode: code,
    timedOut,
    wallSeconds: Math.min(completionSeconds ?? exitSeconds, exitSeconds),
    exitSeconds,
    completionLineSeen: completionSeconds !== null,
    ...usage,
    output: error ? String(error) : tracked.output.text,
  };
}

async function readTimeFile(file) {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { cpuUserSeconds: null, cpuSystemSeconds: null, peakRssBytes: null };
  }
  // GNU time prefixes "Command exited with non-zero status N" and signal notes; the figures are the last line.
  const lastLine = text.trim().split('\n').pop() ?? '';
  const [user, system, maxRssKiB] = lastLine.split(' ').map(Number);
  const valid = [user, system, maxRssKiB].every(Number.isFinite);
  return valid
    ? { cpuUserSeconds: user, cpuSystemSeconds: system, peakRssBytes: maxRssKiB * 1024 }
    : { cpuUserSeconds: null, cpuSystemSeconds: null, peakRssBytes: null };
}

/** Runs a short helper command to completion and returns its stdout; rejects on a non-zero exit. */
export async function runToCompletion(command, args, { cwd, timeoutMs = 600_000 } = {}) {
  const tracked = spawnTracked(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  tracked.child.stdout.on('data', (chunk) => {
    stdout += chunk.toString('utf8');
  });
  const timer = setTimeout(() => stopGroup(tracked), timeoutMs);
  const { code, signal, error } = await tracked.exited;
  clearTimeout(timer);
  if (error || code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (code ${code}, signal ${signal}): ${tracked.output.text}`,
    );
  }
  return stdout;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, all threads, plus children it waited for) and peak RSS (VmHWM) of a running
 * process, from /proc; null figures once it is gone. For long-running peers (seeders), sampled before they stop.
 */
export async function processUsage(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const peakKiB = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1]);
    return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, peakRssBytes: peakKiB * 1024 };
  } catch {
    return { cpuSeconds: null, peakRssBytes: null };
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; rejects when `tracked` exits first. */
export async function waitForListening(port, tracked, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (tracked.child.exitCode !== null) throw new Error(`${what} exited: ${tracked.output.text}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port}: ${tracked.output.text}`);
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
