/**
 * The DHT for `download` and `seed`: on by default (most magnet links in the wild have no working tracker),
 * bootstrapped from the well-known routers unless `--dht-bootstrap` or BITLOOM_DHT_BOOTSTRAP says otherwise
 * (an empty BITLOOM_DHT_BOOTSTRAP means none: the test suite sets it so no test ever reaches outside loopback).
 * The routing table is saved on exit and used to rejoin on the next start.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Session } from '@bitloom/engine';
import { makeDirectories } from '@bitloom/node';
import { parsePeerAddress } from './peer-address.js';

/** Public bootstrap routers, as libtorrent and Transmission use them. */
export const PUBLIC_DHT_ROUTERS = [
  { host: 'router.bittorrent.com', port: 6881 },
  { host: 'dht.transmissionbt.com', port: 6881 },
  { host: 'router.utorrent.com', port: 6881 },
  { host: 'dht.libtorrent.org', port: 25401 },
];

export interface DhtCliOptions {
  /** commander's `--no-dht` sets this false. */
  dht?: boolean;
  dhtBootstrap?: string[];
}

type SessionDht = {
  bootstrap: { host: string; port: number }[];
  savedNodes?: { host: string; port: number }[];
};

function stateFile(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'bitloom', 'dht-nodes.json');
}

/** The session's `dht` option from the command line, or undefined with --no-dht. */
export async function dhtOptionsFrom(options: DhtCliOptions): Promise<SessionDht | undefined> {
  if (options.dht === false) return undefined;
  let bootstrap: { host: string; port: number }[];
  if (options.dhtBootstrap && options.dhtBootstrap.length > 0)
    bootstrap = options.dhtBootstrap.map(parsePeerAddress);
  else if (process.env.BITLOOM_DHT_BOOTSTRAP !== undefined) {
    bootstrap = process.env.BITLOOM_DHT_BOOTSTRAP.split(',')
      .filter((s) => s.trim() !== '')
      .map((s) => parsePeerAddress(s.trim()));
  } else bootstrap = PUBLIC_DHT_ROUTERS;
  // Saved nodes only when bootstrapping from the public routers: a private or test network starts clean.
  if (bootstrap !== PUBLIC_DHT_ROUTERS) return { bootstrap };
  const savedNodes = await loadNodes();
  return savedNodes.length > 0 ? { bootstrap, savedNodes } : { bootstrap };
}

async function loadNodes(): Promise<{ host: string; port: number }[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(stateFile(), 'utf8'));
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (n): n is { host: string; port: number } =>
          typeof n?.host === 'string' && Number.isInteger(n?.port) && n.port > 0 && n.port < 65536,
      )
      .slice(0, 200)
      .map((n) => ({ host: n.host, port: n.port }));
  } catch {
    return []; // missing or unreadable: bootstrap from the routers
  }
}

/** Saves the routing table (crash-safe: temp file, then rename) when the DHT ran with the public routers. */
export async function saveDhtNodes(session: Session, options: DhtCliOptions): Promise<void> {
  if (
    !session.dht ||
    options.dht === false ||
    options.dhtBootstrap?.length ||
    process.env.BITLOOM_DHT_BOOTSTRAP !== undefined
  ) {
    return;
  }
  const nodes = session.dht.exportNodes().map((n) => ({ host: n.host, port: n.port }));
  if (nodes.length === 0) return;
  const file = stateFile();
  try {
    await makeDirectories(dirname(file));
    await writeFile(`${file}.tmp`, JSON.stringify(nodes));
    await rename(`${file}.tmp`, file);
  } catch {
    // not being able to remember nodes is not worth failing a download for
  }
}
