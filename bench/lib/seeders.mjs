/**
 * Seeders the benchmark starts on 127.0.0.1, each in a fresh process with DHT, LSD, UPnP, NAT-PMP and PEX off:
 * - libtorrent: bench/libtorrent-bench.py seed (seed_mode: no start-up check, each piece hashed on its first
 *   request), for one torrent or many;
 * - bitloom: bench/bitloom-peer.mjs seed (one session; it checks the data first, like `bitloom seed`);
 * - aria2: aria2c --bt-seed-unverified (no check);
 * - transmission: transmission-daemon with one torrent added over RPC (it checks the data first).
 * Every one is ready (listening, data checked, announced to the tracker when given one) when `startSeeder`
 * resolves. `usage()` samples its CPU seconds and peak RSS from /proc; `stop()` ends it and returns what it said
 * on the way out (bitloom and libtorrent: bytes uploaded; bitloom: event-loop delay).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  processUsage,
  runToCompletion,
  spawnTracked,
  stopGroup,
  waitForJsonLine,
  waitForListening,
} from './processes.mjs';

const LIBTORRENT_SCRIPT = fileURLToPath(new URL('../libtorrent-bench.py', import.meta.url));
const BITLOOM_PEER = fileURLToPath(new URL('../bitloom-peer.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const STATS_TIMEOUT_MS = 10_000;

export const SEEDER_NAMES = ['libtorrent', 'transmission', 'aria2', 'bitloom'];

/**
 * @param {string} kind one of SEEDER_NAMES
 * @param {{ python: string, torrentFiles: string[], dataDir: string, trackerUrl?: string, scratchDir: string }} options
 * @returns {Promise<{ kind, pid, port, ready, usage: () => Promise<object>, stop: () => Promise<object|null> }>}
 */
export async function startSeeder(kind, options) {
  switch (kind) {
    case 'libtorrent':
      return startJsonSeeder(kind, options.python, [
        LIBTORRENT_SCRIPT,
        'seed',
        ...options.torrentFiles,
        options.dataDir,
        ...(options.trackerUrl ? ['--tracker', options.trackerUrl] : []),
      ]);
    case 'bitloom':
      return startJsonSeeder(kind, process.execPath, [
        BITLOOM_PEER,
        'seed',
        options.dataDir,
        ...options.torrentFiles,
        ...(options.trackerUrl ? ['--tracker', options.trackerUrl] : []),
      ]);
    case 'aria2':
      return startAria2Seeder(options);
    case 'transmission':
      return startTransmissionSeeder(options);
    default:
      throw new Error(`unknown seeder ${kind}`);
  }
}

/** A seeder that prints a `ready` JSON line with its port, and a `stats` line when its stdin closes. */
async function startJsonSeeder(kind, command, args) {
  const tracked = spawnTracked(command, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const ready = await waitForJsonLine(tracked, (line) => line.event === 'ready', READY_TIMEOUT_MS, kind);
    return {
      kind,
      pid: tracked.child.pid,
      port: ready.port,
      ready,
      usage: () => processUsage(tracked.child.pid),
      stop: async () => {
        const stats = waitForJsonLine(
          tracked,
          (line) => line.event === 'stats',
          STATS_TIMEOUT_MS,
          kind,
        ).catch(() => null);
        tracked.child.stdin.end();
        const result = await stats;
        await stopGroup(tracked);
        return result;
      },
    };
  } catch (error) {
    await stopGroup(tracked);
    throw error;
  }
}

async function startAria2Seeder({ torrentFiles, dataDir, trackerUrl }) {
  const port = await freePort();
  const tracked = spawnTracked(
    'aria2c',
    [
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--interface=127.0.0.1',
      '--disable-ipv6=true',
      `--listen-port=${port}`,
      '--seed-ratio=0.0',
      '--bt-seed-unverified=true',
      '--check-integrity=false',
      '--file-allocation=none',
      '--summary-interval=0',
      '--console-log-level=warn',
      '--download-result=hide',
      ...(trackerUrl ? [`--bt-tracker=${trackerUrl}`] : []),
      `--dir=${dataDir}`,
      ...torrentFiles,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await waitForListening(port, tracked, READY_TIMEOUT_MS, 'aria2 seeder');
  } catch (error) {
    await stopGroup(tracked);
    throw error;
  }
  return {
    kind: 'aria2',
    pid: tracked.child.pid,
    port,
    ready: {},
    usage: () => processUsage(tracked.child.pid),
    stop: async () => {
      await stopGroup(tracked);
      return null;
    },
  };
}

/** transmission-daemon in the foreground, its own config folder, one torrent added and checked over RPC. */
async function startTransmissionSeeder({ torrentFiles, dataDir, trackerUrl, scratchDir }) {
  const [port, rpcPort] = [await freePort(), await freePort()];
  const configDir = join(scratchDir, `transmission-${port}`);
  await mkdir(configDir, { recursive: true });
  const settings = {
    'bind-address-ipv4': '127.0.0.1',
    'blocklist-enabled': false,
    'dht-enabled': false,
    'download-dir': dataDir,
    encryption: 0,
    'idle-seeding-limit-enabled': false,
    'lpd-enabled': false,
    'peer-port': port,
    'peer-port-random-on-start': false,
    'pex-enabled': false,
    'port-forwarding-enabled': false,
    'ratio-limit-enabled': false,
    'rpc-authentication-required': false,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-whitelist-enabled': false,
    'rpc-host-whitelist-enabled': false,
    'speed-limit-down-enabled': false,
    'speed-limit-up-enabled': false,
    'utp-enabled': false,
  };
  await writeFile(join(configDir, 'settings.json'), JSON.stringify(settings));
  const tracked = spawnTracked('transmission-daemon', ['-f', '-g', configDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const remote = (...args) =>
    runToCompletion('transmission-remote', [String(rpcPort), ...args], { timeoutMs: 20_000 });
  const stop = async () => {
    await stopGroup(tracked);
    await rm(configDir, { recursive: true, force: true });
    return null;
  };
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    await untilTrue(deadline, tracked, async () =>
      remote('-l').then(
        () => true,
        () => false,
      ),
    );
    await remote('-a', torrentFiles[0], '-w', dataDir);
    if (trackerUrl) await remote('-t', '1', '-td', trackerUrl);
    await untilTrue(deadline, tracked, async () => {
      const info = await remote('-t', '1', '-i');
      // Transmission 3 calls a complete torrent without peers `Idle`, one with peers `Seeding`.
      return /State:\s*(Seeding|Idle)/.test(info) && /Percent Done:\s*100%/.test(info);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'transmission',
    pid: tracked.child.pid,
    port,
    ready: {},
    usage: () => processUsage(tracked.child.pid),
    stop,
  };
}

async function untilTrue(deadline, tracked, test) {
  for (;;) {
    if (await test()) return;
    if (tracked.child.exitCode !== null)
      throw new Error(`transmission-daemon exited: ${tracked.output.text}`);
    if (Date.now() > deadline) throw new Error(`transmission-daemon not ready: ${tracked.output.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
