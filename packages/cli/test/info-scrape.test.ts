/**
 * `bitloom info --scrape` against a real tracker on loopback (Debian's `opentracker`, HTTP and UDP on one port,
 * whitelisting the test torrents) and against trackers that are not there: an HTTP port that refuses and a UDP
 * port that never answers. Failed trackers are one line each and the exit code stays 0.
 *
 * (npm `bittorrent-tracker` is not used here: its HTTP scrape writes info-hash keys UTF-8 encoded, so any hash
 * with a byte of 0x80 or more comes back under a 40-byte key that a strict client cannot match.)
 */
import { createSocket } from 'node:dgram';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLineChild } from '../../../interop/harness/child-process.js';
import { ExitCode } from '../src/exit-codes.js';
import { main } from '../src/index.js';
import type { TrackerScrapeJson } from '../src/render-scrape.js';
import { runCli } from './run-cli.js';

async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

const percentEncoded = (hex: string) => hex.replace(/../g, '%$&');

/** Announces one peer to the HTTP tracker, the way any client would. */
async function announce(infoHashHex: string, peer: number, left: number, event = 'started'): Promise<void> {
  const peerId = `-XX0001-${String(peer).padStart(12, '0')}`;
  const query = `info_hash=${percentEncoded(infoHashHex)}&peer_id=${peerId}&port=${50_000 + peer}&uploaded=0&downloaded=0&left=${left}&compact=1&event=${event}`;
  const body = await (await fetch(`${httpAnnounce}?${query}`)).text();
  expect(body).toContain('interval');
}

let tracker: JsonLineChild;
let work: string;
let trackerPort: number;
let httpAnnounce: string;
let udpAnnounce: string;
let refusingHttp: string;
let silentUdp: string;
/** The test torrents by name, made before the tracker starts so it can whitelist them. */
const torrents = new Map<string, { path: string; infoHash: string }>();

/** A torrent naming `trackers` (one tier each). */
async function makeTorrent(name: string, trackers: string[]): Promise<void> {
  const file = join(work, name);
  await writeFile(file, `payload of ${name}\n`.repeat(1000));
  const path = join(work, `${name}.torrent`);
  const created = await runCli(['create', file, '-o', path, ...trackers.flatMap((url) => ['-t', url])]);
  expect(created.code).toBe(ExitCode.OK);
  const infoHash = /Info-hash: ([0-9a-f]{40})/.exec(created.stdout)?.[1];
  if (infoHash === undefined) throw new Error(`no info-hash in ${created.stdout}`);
  torrents.set(name, { path, infoHash });
}

const torrent = (name: string) => torrents.get(name)!;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-scrape-'));
  await chmod(work, 0o755);
  trackerPort = await closedTcpPort();
  httpAnnounce = `http://127.0.0.1:${trackerPort}/announce`;
  udpAnnounce = `udp://127.0.0.1:${trackerPort}`;
  refusingHttp = `http://127.0.0.1:${await closedTcpPort()}/announce`;
  silentUdp = `udp://127.0.0.1:${await closedUdpPort()}`;
  await makeTorrent('alpha.bin', [httpAnnounce, udpAnnounce]);
  await makeTorrent('beta.bin', [udpAnnounce, httpAnnounce]);
  await makeTorrent('gamma.bin', [httpAnnounce]);
  await makeTorrent('delta.bin', [refusingHttp, silentUdp, httpAnnounce]);
  await makeTorrent('epsilon.bin', []);
  await makeTorrent('zeta.bin', []);
  await makeTorrent('theta.bin', [refusingHttp]);
  const whitelist = join(work, 'whitelist');
  await writeFile(whitelist, [...torrents.values()].map((t) => `${t.infoHash}\n`).join(''));
  await chmod(whitelist, 0o644);
  // It chroots to `work` and reads the whitelist there, by a relative name.
  tracker = new JsonLineChild(
    'opentracker',
    ['-i', '127.0.0.1', '-p', String(trackerPort), '-P', String(trackerPort), '-w', 'whitelist', '-d', work],
    { cwd: work },
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(
        `http://127.0.0.1:${trackerPort}/scrape?info_hash=${percentEncoded(torrent('alpha.bin').infoHash)}`,
      );
      break;
    } catch (error) {
      if (Date.now() > deadline || tracker.exitStatus !== undefined) throw tracker.failure(String(error));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}, 30_000);

afterAll(async () => {
  await tracker?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('bitloom info --scrape', () => {
  it('prints seeders, leechers and completed from a real tracker over HTTP and UDP, one line each', async () => {
    const { path, infoHash } = torrent('alpha.bin');
    await announce(infoHash, 1, 0);
    await announce(infoHash, 2, 12_345);
    await announce(infoHash, 3, 0, 'completed');
    const run = await runCli(['info', path, '--scrape']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.OK);
    const lines = run.stdout.split('\n');
    const section = lines.slice(lines.indexOf('Scrape:') + 1).filter((l) => l !== '');
    expect(section).toEqual([
      `  ${httpAnnounce}  2 seeders, 1 leechers, 1 completed`,
      `  ${udpAnnounce.padEnd(httpAnnounce.length)}  2 seeders, 1 leechers, 1 completed`,
    ]);
    // The torrent's own information is still printed above.
    expect(run.stdout).toContain(`Info-hash:    ${infoHash}`);
  });

  it('--json adds a scrape array in tracker order, with tiers', async () => {
    const { path, infoHash } = torrent('beta.bin');
    await announce(infoHash, 4, 0);
    const run = await runCli(['info', path, '--scrape', '--json']);
    expect(run.code).toBe(ExitCode.OK);
    const json = JSON.parse(run.stdout) as { infoHash: string; scrape: TrackerScrapeJson[] };
    expect(json.infoHash).toBe(infoHash);
    expect(json.scrape).toEqual([
      { url: udpAnnounce, tier: 0, status: 'ok', seeders: 1, leechers: 0, completed: 0 },
      { url: httpAnnounce, tier: 1, status: 'ok', seeders: 1, leechers: 0, completed: 0 },
    ]);
  });

  it('a torrent the tracker has no peers for is "not known", not an error', async () => {
    const run = await runCli(['info', torrent('gamma.bin').path, '--scrape']);
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toContain(`  ${httpAnnounce}  torrent not known to this tracker\n`);
    const json = await runCli(['info', torrent('gamma.bin').path, '--scrape', '--json']);
    expect((JSON.parse(json.stdout) as { scrape: TrackerScrapeJson[] }).scrape).toEqual([
      { url: httpAnnounce, tier: 0, status: 'unknown' },
    ]);
  });

  it('unreachable trackers: one error line each, the working one still reported, exit code 0', async () => {
    const { path, infoHash } = torrent('delta.bin');
    await announce(infoHash, 5, 0);
    const text = await runCli(['info', path, '--scrape', '--scrape-timeout', '1']);
    expect(text.code).toBe(ExitCode.OK);
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    const section = lines.slice(lines.indexOf('Scrape:') + 1).filter((l) => l !== '');
    expect(section).toHaveLength(3);
    expect(section[0]).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/announce +error: .*\(TRACKER_HTTP\)$/);
    expect(section[1]).toMatch(
      /^ {2}udp:\/\/127\.0\.0\.1:\d+ +error: no answer within 1 s \(TRACKER_TIMEOUT\)$/,
    );
    expect(section[2]).toMatch(/ 1 seeders, 0 leechers, 0 completed$/);

    const json = await runCli(['info', path, '--scrape', '--scrape-timeout', '1', '--json']);
    expect(json.code).toBe(ExitCode.OK);
    const scrape = (JSON.parse(json.stdout) as { scrape: TrackerScrapeJson[] }).scrape;
    expect(
      scrape.map((entry) => [entry.url, entry.status, 'error' in entry ? entry.error.code : 'none']),
    ).toEqual([
      [refusingHttp, 'error', 'TRACKER_HTTP'],
      [silentUdp, 'error', 'TRACKER_TIMEOUT'],
      [httpAnnounce, 'ok', 'none'],
    ]);
  });

  it('a tracker URL of an unsupported scheme is an error line, not a crash', async () => {
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&tr=${encodeURIComponent('wss://tracker.example/')}`;
    const run = await runCli(['info', magnet, '--scrape', '--json']);
    expect(run.code).toBe(ExitCode.OK);
    const [only] = (JSON.parse(run.stdout) as { scrape: TrackerScrapeJson[] }).scrape;
    expect(only).toMatchObject({
      url: 'wss://tracker.example/',
      status: 'error',
      error: { code: 'TRACKER_BAD_URL' },
    });
  });

  it('scrapes the trackers of a magnet link', async () => {
    const { infoHash } = torrent('epsilon.bin');
    await announce(infoHash, 6, 0);
    await announce(infoHash, 7, 1);
    const magnet = `magnet:?xt=urn:btih:${infoHash}&tr=${encodeURIComponent(udpAnnounce)}`;
    const run = await runCli(['info', magnet, '--scrape', '--json']);
    expect(run.code).toBe(ExitCode.OK);
    expect((JSON.parse(run.stdout) as { scrape: TrackerScrapeJson[] }).scrape).toEqual([
      { url: udpAnnounce, tier: 0, status: 'ok', seeders: 1, leechers: 1, completed: 0 },
    ]);
  });

  it('a torrent without trackers says so; exit code 0', async () => {
    const run = await runCli(['info', torrent('zeta.bin').path, '--scrape']);
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toContain('Scrape:       no trackers to ask');
  });

  it('a bad --scrape-timeout is a usage error (exit 2) and nothing is scraped', async () => {
    for (const bad of ['0', '-1', 'soon', '1e9', '121']) {
      const run = await runCli(['info', torrent('alpha.bin').path, '--scrape', '--scrape-timeout', bad]);
      expect(run.code).toBe(ExitCode.USAGE);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('--scrape-timeout');
    }
  });

  it('an unreadable torrent fails with exit code 1 before any tracker is asked', async () => {
    const run = await runCli(['info', join(work, 'missing.torrent'), '--scrape']);
    expect(run.code).toBe(ExitCode.FAILURE);
    expect(run.stdout).toBe('');
  });
});

describe('bitloom download: tracker trouble', () => {
  it('prints one stderr line with the first tracker error when every tracker failed and no peer is connected', async () => {
    // Only the CLI's own SIGINT handler may run when the test interrupts it below.
    expect(process.listenerCount('SIGINT')).toBe(0);
    let stderr = '';
    const run = main(
      ['download', torrent('theta.bin').path, '-o', join(work, 'theta'), '--listen', '127.0.0.1'],
      {
        stdout: { write: () => true, isTTY: false },
        stderr: { write: (text: string) => (stderr += text), isTTY: false },
      },
    );
    const trouble = /^bitloom: no tracker answers and no peer is connected; (\S+): (.*)$/m;
    // Real sockets and the CLI's real redraw timer: poll for the line, bounded.
    const deadline = Date.now() + 10_000;
    while (process.listenerCount('SIGINT') === 0 || !trouble.test(stderr)) {
      if (Date.now() > deadline) throw new Error(`no tracker line; stderr so far: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Two more redraws (one a second) with the same failure must not repeat it.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    process.emit('SIGINT');
    expect(await run).toBe(ExitCode.INTERRUPTED);
    const lines = stderr.split('\n').filter((line) => trouble.test(line));
    expect(lines).toHaveLength(1);
    expect(trouble.exec(lines[0]!)?.[1]).toBe(refusingHttp);
  });
});
