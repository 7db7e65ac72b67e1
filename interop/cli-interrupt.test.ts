/**
 * The `bitloom` command as a user meets it, run as a real process: Ctrl-C (SIGINT) in the middle of a download
 * from a libtorrent seeder tells the tracker (npm bittorrent-tracker on loopback) `stopped` and exits 130 within
 * a few seconds; a second Ctrl-C right after the first exits at once even while a tracker does not answer; and a
 * bad or missing .torrent is one line on stderr, without a stack trace unless --verbose.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLineChild } from './harness/child-process.js';
import { startLibtorrentSeeder } from './harness/libtorrent.js';
import { type Fixture, makeFixtures } from './harness/payloads.js';
import { startTracker } from './harness/tracker.js';

/** Bounds, not measurements: how long a stage may take before the test gives up. */
const START_TIMEOUT_MS = 30_000;
/**
 * A clean stop waits at most 5 s for trackers (STOP_ANNOUNCE_TIMEOUT_MS) and then closes files: "a few
 * seconds". The bound leaves room for a loaded 2-core machine.
 */
const CLEAN_STOP_BOUND_MS = 10_000;
/** The second Ctrl-C must not wait out the 5 s a clean stop gives a tracker that does not answer. */
const SECOND_INTERRUPT_BOUND_MS = 4_000;
/** Slow enough that 3 MiB takes over ten seconds: the download is surely still running when interrupted. */
const SLOW_DOWNLOAD = '256K';

let work: string;
let fixture: Fixture;
let buildOutput = '';
const running: { stop(): Promise<void> }[] = [];

function bitloom(args: string[]): JsonLineChild {
  const child = spawnBitloom(args);
  running.push(child);
  return child;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-cli-interrupt-'));
  const [fixtures] = await Promise.all([
    makeFixtures(work, [256 * 1024]),
    buildCli().then((output) => {
      buildOutput = output;
    }),
  ]);
  fixture = fixtures[0]!;
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/**
 * An HTTP tracker that answers every announce but `stopped` (no peers, interval 60 s) and leaves `stopped`
 * hanging: a client that waits for it waits its whole stop timeout.
 */
async function startStoppedSwallowingTracker(): Promise<{
  url: string;
  events: () => string[];
  stop(): Promise<void>;
}> {
  const events: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((request, response) => {
    const event = new URL(request.url ?? '/', 'http://x').searchParams.get('event') ?? 'update';
    events.push(event);
    if (event === 'stopped') return; // never answered
    response.end('d8:intervali60e5:peers0:e');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/announce`,
    events: () => [...events],
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Ctrl-C', () => {
  it('mid-download: the tracker receives event=stopped and bitloom exits 130 within a few seconds', async () => {
    const tracker = await startTracker(60_000);
    running.push(tracker);
    const seeder = await startLibtorrentSeeder({
      torrentFile: fixture.torrentFile,
      dataDir: fixture.dataDir,
    });
    running.push(seeder);
    const download = bitloom([
      'download',
      fixture.torrentFile,
      '-o',
      join(work, 'interrupted'),
      '--peer',
      `127.0.0.1:${seeder.port}`,
      '--tracker',
      tracker.httpUrl,
      '--no-dht',
      '--listen',
      '127.0.0.1',
      '--max-down',
      SLOW_DOWNLOAD,
      '--json',
    ]);
    const started = await tracker.waitForAnnounce((a) => a.event === 'start', START_TIMEOUT_MS);
    const progress = await download
      .waitForLine(
        (line) =>
          line.event === 'progress' && typeof line.verifiedBytes === 'number' && line.verifiedBytes > 0,
        START_TIMEOUT_MS,
      )
      .catch((error: Error) => {
        throw new Error(`${error.message}\n${buildOutput}`);
      });
    expect(progress.progress).toBeLessThan(1);

    download.signal('SIGINT');
    const status = await download.waitForExit(CLEAN_STOP_BOUND_MS);
    expect(status).toBe(130);
    const stopped = await tracker.waitForAnnounce(
      (a) => a.event === 'stop' && a.port === started.port,
      CLEAN_STOP_BOUND_MS,
    );
    expect(stopped.infoHash).toBe(started.infoHash);
    // No done event, no error, nothing on stderr: an interruption is not a failure.
    await download.stdoutClosed;
    expect(download.lines.some((line) => line.event === 'done' || line.event === 'error')).toBe(false);
    expect(download.stderr).toBe('');
  });

  it('a second Ctrl-C right after the first exits at once, without waiting for a tracker that does not answer', async () => {
    const tracker = await startStoppedSwallowingTracker();
    running.push(tracker);
    const seeder = await startLibtorrentSeeder({
      torrentFile: fixture.torrentFile,
      dataDir: fixture.dataDir,
    });
    running.push(seeder);
    const download = bitloom([
      'download',
      fixture.torrentFile,
      '-o',
      join(work, 'twice'),
      '--peer',
      `127.0.0.1:${seeder.port}`,
      '--tracker',
      tracker.url,
      '--no-dht',
      '--listen',
      '127.0.0.1',
      '--max-down',
      SLOW_DOWNLOAD,
    ]);
    // Running: the tracker took its `started` and it printed its first (plain: stderr is a pipe) progress line.
    await waitUntil(
      () => tracker.events().includes('started') && download.stderr.includes(': downloading '),
      START_TIMEOUT_MS,
      `the download to start; stderr: ${download.stderr}`,
    );

    download.signal('SIGINT');
    // The clean stop has begun: the note is out and the tracker holds its `stopped` announce unanswered.
    await waitUntil(
      () => download.stderr.includes('stopping') && tracker.events().includes('stopped'),
      SECOND_INTERRUPT_BOUND_MS,
      'the stopping note and the stopped announce',
    );
    download.signal('SIGINT');
    const status = await download.waitForExit(SECOND_INTERRUPT_BOUND_MS);
    expect(status).toBe(130);
    expect(download.stderr).toContain('Ctrl-C again to quit at once');
  });
});

describe('errors are one line', () => {
  it('a .torrent that is not bencode: one line naming the file and what to do, exit 1, no stack', async () => {
    const bad = join(work, 'not-a-torrent.torrent');
    await writeFile(bad, 'this is not bencode\n');
    const run = bitloom(['download', bad, '--peer', '127.0.0.1:1', '--no-dht']);
    expect(await run.waitForExit(START_TIMEOUT_MS)).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `bitloom: ${bad}: the torrent file is not valid bencode: 't' cannot start a bencode value (at byte 0); check that it is a .torrent file and was not cut short`,
    ]);
  });

  it('with --json, the same failure is also an error event on stdout', async () => {
    const bad = join(work, 'not-a-torrent-json.torrent');
    await writeFile(bad, 'this is not bencode\n');
    const run = bitloom(['download', bad, '--peer', '127.0.0.1:1', '--no-dht', '--json']);
    expect(await run.waitForExit(START_TIMEOUT_MS)).toBe(1);
    await run.stdoutClosed;
    expect(run.lines).toEqual([
      { event: 'error', code: 'METAINFO_MALFORMED', message: expect.stringContaining(bad) },
    ]);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a path that does not exist: one line, exit 1; --verbose adds the stack and the error code', async () => {
    const missing = join(work, 'no-such-dir', 'missing.torrent');
    const run = bitloom(['download', missing, '--peer', '127.0.0.1:1', '--no-dht']);
    expect(await run.waitForExit(START_TIMEOUT_MS)).toBe(1);
    expect(run.stderr).toBe(`bitloom: ${missing}: no such file or directory; check the path\n`);

    const verbose = bitloom(['download', missing, '--peer', '127.0.0.1:1', '--no-dht', '--verbose']);
    expect(await verbose.waitForExit(START_TIMEOUT_MS)).toBe(1);
    const lines = verbose.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`bitloom: ${missing}: no such file or directory; check the path`);
    expect(lines.filter((line) => /^\s+at /.test(line)).length).toBeGreaterThan(0);
    expect(verbose.stderr).toContain('ENOENT');
  });

  it('a torrent file that is a directory, and a bad flag value: one line each', async () => {
    const dir = bitloom(['info', work]);
    expect(await dir.waitForExit(START_TIMEOUT_MS)).toBe(1);
    expect(dir.stderr).toBe(`bitloom: ${work}: is a directory, not a .torrent file\n`);

    const flag = bitloom(['download', fixture.torrentFile, '--max-down', 'fast']);
    expect(await flag.waitForExit(START_TIMEOUT_MS)).toBe(2);
    expect(flag.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(flag.stderr).toMatch(/^bitloom: option '--max-down <rate>' argument 'fast' is invalid/);
  });
});
