/**
 * Transmission 3.00 (Debian's `transmission-daemon`) as a test peer: a daemon in the foreground with its own
 * config folder (settings.json: DHT, LPD, PEX, uTP, port forwarding and blocklists off; peers and RPC bound to
 * 127.0.0.1, RPC without authentication), one torrent added through `transmission-remote`. Transmission has no
 * way to add a peer by hand and never dials the 127.x peers a tracker gives it, but accepts incoming
 * connections: on loopback the other side dials it. It verifies existing data before seeding. Stopped by PID.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonLineChild, runCommand } from './child-process.js';
import { freePort } from './tools.js';

/** What `transmission-remote PORT -t 1 -i` says about the torrent. */
export interface TransmissionInfo {
  /** 0–100. */
  percentDone: number;
  /** `Seeding`, `Downloading`, `Verifying`, `Idle`, … */
  state: string;
  /** Bytes, parsed from Transmission's human units (approximate: it prints three significant digits). */
  uploadedBytes: number;
  downloadedBytes: number;
  /** The whole `-i` output, for failure messages. */
  text: string;
}

/** A running transmission-daemon with one torrent. */
export interface TransmissionPeer {
  readonly process: JsonLineChild;
  /** The peer port (127.0.0.1). */
  readonly port: number;
  readonly rpcPort: number;
  info(): Promise<TransmissionInfo>;
  /** Polls `info()` until `predicate` holds; rejects with the last info and the daemon's log after `timeoutMs`. */
  waitFor(predicate: (info: TransmissionInfo) => boolean, timeoutMs: number): Promise<TransmissionInfo>;
  stop(): Promise<void>;
}

export interface TransmissionOptions {
  torrentFile: string;
  /** Where the data is (seeder) or goes (leecher). */
  dataDir: string;
  /** A folder of its own for Transmission's settings and resume files. */
  configDir: string;
}

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** `3.14 MB` → bytes; `None` → 0. */
export function parseTransmissionSize(text: string): number {
  const match = /([\d.]+)\s*([kKMG]?i?B)/.exec(text);
  if (match === null) return 0;
  return Math.round(Number(match[1]) * (UNITS[match[2]!] ?? 1));
}

function field(text: string, name: string): string {
  const match = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text);
  return match?.[1]?.trim() ?? '';
}

/** Parses `transmission-remote -t 1 -i`. */
export function parseTransmissionInfo(text: string): TransmissionInfo {
  return {
    percentDone: Number.parseFloat(field(text, 'Percent Done')) || 0,
    state: field(text, 'State'),
    uploadedBytes: parseTransmissionSize(field(text, 'Uploaded')),
    downloadedBytes: parseTransmissionSize(field(text, 'Downloaded')),
    text,
  };
}

/** Starts the daemon, waits for its RPC, adds the torrent (it then verifies what is in `dataDir`). */
export async function startTransmission(options: TransmissionOptions): Promise<TransmissionPeer> {
  const [port, rpcPort] = [await freePort(), await freePort()];
  await mkdir(options.configDir, { recursive: true });
  await mkdir(options.dataDir, { recursive: true });
  const settings = {
    'bind-address-ipv4': '127.0.0.1',
    'bind-address-ipv6': '::1',
    'blocklist-enabled': false,
    'dht-enabled': false,
    'download-dir': options.dataDir,
    // 0: prefer plaintext (bitloom has no MSE), accept either.
    encryption: 0,
    'idle-seeding-limit-enabled': false,
    'incomplete-dir-enabled': false,
    'lpd-enabled': false,
    'message-level': 2,
    'peer-port': port,
    'peer-port-random-on-start': false,
    'pex-enabled': false,
    'port-forwarding-enabled': false,
    'ratio-limit-enabled': false,
    'rpc-authentication-required': false,
    'rpc-bind-address': '127.0.0.1',
    'rpc-enabled': true,
    'rpc-host-whitelist-enabled': false,
    'rpc-port': rpcPort,
    'rpc-whitelist-enabled': false,
    'speed-limit-down-enabled': false,
    'speed-limit-up-enabled': false,
    'start-added-torrents': true,
    'utp-enabled': false,
    'watch-dir-enabled': false,
  };
  await writeFile(join(options.configDir, 'settings.json'), JSON.stringify(settings, null, 2));
  const child = new JsonLineChild('transmission-daemon', ['-f', '-g', options.configDir, '--log-info']);
  const remote = (...args: string[]) => runCommand('transmission-remote', [String(rpcPort), ...args], 20_000);
  try {
    await untilRpcAnswers(child, remote);
    await remote('-a', options.torrentFile, '-w', options.dataDir);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const info = async () => parseTransmissionInfo((await remote('-t', '1', '-i')).stdout);
  return {
    process: child,
    port,
    rpcPort,
    info,
    waitFor: async (predicate, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const latest = await info();
        if (predicate(latest)) return latest;
        if (Date.now() > deadline || child.exitStatus !== undefined) {
          throw child.failure(`transmission: condition not met within ${timeoutMs} ms\n${latest.text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    stop: () => child.stop(),
  };
}

/** Polls `transmission-remote -l` until the RPC server answers (the daemon has no ready line of its own). */
async function untilRpcAnswers(
  child: JsonLineChild,
  remote: (...args: string[]) => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await remote('-l');
      return;
    } catch (error) {
      if (Date.now() > deadline || child.exitStatus !== undefined) throw child.failure(String(error));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
