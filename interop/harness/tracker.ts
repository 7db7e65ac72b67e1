/**
 * npm `bittorrent-tracker` (HTTP + UDP, no WebSocket) as a child process on 127.0.0.1, for interop tests in
 * which real clients find each other only through a tracker. It prints one JSON line per announce it handles
 * (`start`, `update`, `complete`, `stop`, with the peer's `addr`, `left` and info-hash), so a test can wait
 * until a client has announced before starting the next one. Stopped by PID.
 */
import { fileURLToPath } from 'node:url';
import { type JsonLine, JsonLineChild } from './child-process.js';

/** The folder whose node_modules holds bittorrent-tracker (installed with WebTorrent). */
const TRACKER_MODULES_DIR = fileURLToPath(new URL('../webtorrent/', import.meta.url));

/** The server imported directly: the package's index pulls in WebRTC, which is not installed. */
const TRACKER_SCRIPT = `
const { default: Server } = await import('./node_modules/bittorrent-tracker/server.js');
const interval = Number(process.argv[1]);
const server = new Server({ http: true, udp: true, ws: false, stats: false, interval });
const log = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
server.on('error', (e) => log({ error: e.message }));
server.on('warning', (e) => log({ warning: e.message }));
for (const event of ['start', 'update', 'complete', 'stop']) {
  server.on(event, (addr, params) =>
    log({ event, addr, left: params?.left, infoHash: params?.info_hash, peerId: params?.peer_id }));
}
server.listen({ http: 0, udp: 0 }, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () =>
  log({ listening: true, http: server.http.address().port, udp: server.udp4.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** One announce the tracker handled. */
export interface TrackerAnnounce {
  event: 'start' | 'update' | 'complete' | 'stop';
  /** `127.0.0.1:PORT`: the announcing client's listen port. */
  addr: string;
  port: number;
  left: number | undefined;
  infoHash: string;
}

/** A running tracker. */
export interface TrackerProcess {
  readonly process: JsonLineChild;
  /** `http://127.0.0.1:PORT/announce` */
  readonly httpUrl: string;
  /** `udp://127.0.0.1:PORT` */
  readonly udpUrl: string;
  /** Every announce handled so far, in order. */
  announces(): TrackerAnnounce[];
  /** Waits for an announce matching `predicate` (one already handled counts). */
  waitForAnnounce(
    predicate: (announce: TrackerAnnounce) => boolean,
    timeoutMs: number,
  ): Promise<TrackerAnnounce>;
  stop(): Promise<void>;
}

function asAnnounce(line: JsonLine): TrackerAnnounce | undefined {
  if (typeof line.event !== 'string' || typeof line.addr !== 'string') return undefined;
  const port = Number(line.addr.slice(line.addr.lastIndexOf(':') + 1));
  return {
    event: line.event as TrackerAnnounce['event'],
    addr: line.addr,
    port,
    left: typeof line.left === 'number' ? line.left : undefined,
    infoHash: String(line.infoHash),
  };
}

/**
 * Starts the tracker on free HTTP and UDP ports of 127.0.0.1. `intervalMs` is the announce interval it tells
 * clients (short, so that a client started earlier learns of one started later).
 */
export async function startTracker(intervalMs: number): Promise<TrackerProcess> {
  const child = new JsonLineChild(
    process.execPath,
    ['--input-type=module', '-e', TRACKER_SCRIPT, String(intervalMs)],
    { cwd: TRACKER_MODULES_DIR },
  );
  let ready: JsonLine;
  try {
    ready = await child.waitForLine((line) => line.listening === true, 20_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const announces = () => child.lines.map(asAnnounce).filter((a): a is TrackerAnnounce => a !== undefined);
  return {
    process: child,
    httpUrl: `http://127.0.0.1:${ready.http}/announce`,
    udpUrl: `udp://127.0.0.1:${ready.udp}`,
    announces,
    waitForAnnounce: async (predicate, timeoutMs) => {
      const line = await child.waitForLine((l) => {
        const announce = asAnnounce(l);
        return announce !== undefined && predicate(announce);
      }, timeoutMs);
      return asAnnounce(line) as TrackerAnnounce;
    },
    stop: () => child.stop(),
  };
}
