/**
 * aria2 1.36 (Debian's `aria2c`) as a test peer on loopback: DHT, LPD and PEX off, bound to 127.0.0.1, IPv6
 * off. It has no way to add a peer by hand: it finds peers through the torrent's tracker. As a seeder it
 * trusts the data without checking it (`--bt-seed-unverified`) and seeds until stopped; as a leecher it exits
 * once the download is complete and verified (`--seed-time=0`). Stopped by PID.
 */
import { mkdir } from 'node:fs/promises';
import { JsonLineChild } from './child-process.js';
import { freePort } from './tools.js';

/** A running aria2c. */
export interface Aria2Peer {
  readonly process: JsonLineChild;
  /** Its BitTorrent listen port (127.0.0.1). */
  readonly port: number;
  stop(): Promise<void>;
}

export interface Aria2Options {
  torrentFile: string;
  /** Where the data is (seeder) or goes (leecher). */
  dataDir: string;
}

async function startAria2(options: Aria2Options, modeArgs: string[]): Promise<Aria2Peer> {
  const port = await freePort();
  await mkdir(options.dataDir, { recursive: true });
  const args = [
    '--enable-dht=false',
    '--enable-dht6=false',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    '--interface=127.0.0.1',
    '--disable-ipv6=true',
    `--listen-port=${port}`,
    '--bt-require-crypto=false',
    '--file-allocation=none',
    '--allow-overwrite=true',
    '--auto-file-renaming=false',
    '--summary-interval=0',
    '--console-log-level=warn',
    '--show-console-readout=false',
    `--dir=${options.dataDir}`,
    ...modeArgs,
    options.torrentFile,
  ];
  const child = new JsonLineChild('aria2c', args);
  return { process: child, port, stop: () => child.stop() };
}

/** Starts aria2 seeding the complete data in `dataDir` (no check, no ratio limit) until `stop()`. */
export function startAria2Seeder(options: Aria2Options): Promise<Aria2Peer> {
  return startAria2(options, ['--seed-ratio=0.0', '--bt-seed-unverified=true', '--check-integrity=false']);
}

/** Starts aria2 downloading into `dataDir`; it exits 0 once complete (`--seed-time=0`). */
export function startAria2Leecher(options: Aria2Options): Promise<Aria2Peer> {
  return startAria2(options, ['--seed-time=0']);
}

/** Waits for a leecher to exit 0; rejects with its output otherwise. */
export async function aria2Completion(peer: Aria2Peer, timeoutMs: number): Promise<void> {
  const status = await peer.process.waitForExit(timeoutMs);
  if (status !== 0) throw peer.process.failure(`aria2c exited with ${status}`);
}
