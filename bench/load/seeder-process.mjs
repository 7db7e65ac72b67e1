/**
 * The seeder under load, one process: a bitloom session on 127.0.0.1 seeding the payload from its file. It
 * measures itself: event-loop delay (node:perf_hooks, from the moment it seeds), its connection counts sampled
 * every few milliseconds, refusals, and reports to the parent over IPC. Peak RSS is read by the parent from
 * /proc/<pid>/status (VmHWM), which covers this process's hash worker threads too.
 *
 * Parent → child: { type: 'report' } (answers with { type: 'report', … }), { type: 'stop' }.
 * Child → parent: { type: 'seeding', port }, { type: 'report', … }, { type: 'error', message }.
 */
import { readFile } from 'node:fs/promises';
import { parseTorrent } from '@bitloom/engine';
import { createSession, sha1Inline } from '@bitloom/node';
import { loopDelayMonitor } from './loop-delay.mjs';

const SAMPLE_INTERVAL_MS = 5;

const options = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);

const hasher = { sha1: async (data) => sha1Inline(data) };
const metainfo = await parseTorrent(new Uint8Array(await readFile(options.torrentFile)), hasher);
const session = await createSession({
  listen: { host: '127.0.0.1', port: 0 },
  settings: options.settings ?? {},
  ...(options.hashWorkers !== undefined && { hashWorkers: options.hashWorkers }),
});
const torrent = session.addTorrent(metainfo, { savePath: options.dataDir });

const delay = loopDelayMonitor();
const counts = { maxSession: 0, maxTorrent: 0, samples: 0 };
const events = { refusedAtAccept: 0, overTorrentLimit: 0, refused: {}, closed: {}, connected: 0 };
let seedingAt;
let sampler;

session.on('peer-refused', ({ reason }) => {
  if (reason === 'too-many-connections') events.refusedAtAccept++;
  events.refused[reason] = (events.refused[reason] ?? 0) + 1;
});
torrent.on('peer-connected', () => events.connected++);
torrent.on('peer-closed', ({ reason }) => {
  if (reason === 'too-many-connections') events.overTorrentLimit++;
  events.closed[reason] = (events.closed[reason] ?? 0) + 1;
});
torrent.on('error', (error) => send({ type: 'error', message: error.message }));
torrent.on('state', ({ state }) => {
  if (state !== 'seeding' || seedingAt !== undefined) return;
  seedingAt = performance.now();
  delay.enable();
  sampler = setInterval(() => {
    counts.samples++;
    counts.maxSession = Math.max(counts.maxSession, session.connectionCount);
    counts.maxTorrent = Math.max(counts.maxTorrent, torrent.connectionCount);
  }, SAMPLE_INTERVAL_MS);
  send({ type: 'seeding', port: session.listenPort });
});

/** What the seeder's peers are doing now: for spotting a stalled seeder. */
function peerStates() {
  const states = { unchoked: 0, interested: 0, snubbed: 0, withQueuedRequests: 0, queuedRequests: 0 };
  for (const peer of torrent.peers.values()) {
    if (!peer.amChoking) states.unchoked++;
    if (peer.peerInterested) states.interested++;
    if (peer.snubbed) states.snubbed++;
    if (peer.incomingRequestCount > 0) states.withQueuedRequests++;
    states.queuedRequests += peer.incomingRequestCount;
  }
  return states;
}

function report() {
  const status = torrent.status();
  return {
    type: 'report',
    seedingSeconds: seedingAt === undefined ? 0 : (performance.now() - seedingAt) / 1000,
    eventLoopDelayMs: delay.report(),
    connections: {
      now: session.connectionCount,
      torrentNow: torrent.connectionCount,
      ...counts,
      limits: {
        session: session.settings.maxConnectionsPerSession,
        torrent: session.settings.maxConnectionsPerTorrent,
      },
    },
    peers: peerStates(),
    events,
    uploadedBytes: status.uploadedBytes,
  };
}

process.on('message', async (message) => {
  if (message.type === 'report') send(report());
  if (message.type === 'stop') {
    clearInterval(sampler);
    delay.disable();
    await session.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
