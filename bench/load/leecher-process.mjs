/**
 * A batch of load-test leechers in one process: `count` bitloom sessions on 127.0.0.1 sharing one Node platform
 * (one pool of hash workers) and one VerifyingStorage (no disk; every written byte checked against the payload).
 * Each leecher keeps seeding what it has to the others once complete, as in a real swarm.
 *
 * Parent → child: { type: 'start', peers: [[{ host, port }, …] per leecher] }, { type: 'report' }, { type: 'stop' }.
 * Child → parent: { type: 'listening', ports }, { type: 'done', index, seconds }, { type: 'report', … },
 * { type: 'error', index, message }.
 */
import { readFile } from 'node:fs/promises';
import { parseTorrent, Session } from '@bitloom/engine';
import { createNodePlatform, sha1Inline } from '@bitloom/node';
import { VerifyingStorage } from './verifying-storage.mjs';

const options = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);

const expected = new Uint8Array(await readFile(options.dataFile));
const hasher = { sha1: async (data) => sha1Inline(data) };
const metainfo = await parseTorrent(new Uint8Array(await readFile(options.torrentFile)), hasher);
const nodePlatform = createNodePlatform({ hashWorkers: options.hashWorkers ?? 1 });
const storage = new VerifyingStorage(expected);
const platform = { ...nodePlatform, storage };

const sessions = [];
for (let i = 0; i < options.count; i++) {
  sessions.push(
    await Session.create({
      platform,
      listen: { host: '127.0.0.1', port: 0 },
      settings: options.settings ?? {},
    }),
  );
}
// A download rate limit per leecher keeps a transfer going for a while (the flood scenario).
if (options.downloadRate)
  for (const session of sessions) session.setRateLimits({ download: options.downloadRate });
send({ type: 'listening', ports: sessions.map((s) => s.listenPort) });

const torrents = [];
/** Why the leechers' connections closed, over all of them. */
const closes = {};
let startedAt = 0;

function start(peerLists) {
  startedAt = performance.now();
  sessions.forEach((session, i) => {
    const torrent = session.addTorrent(metainfo, { savePath: '/load', peers: peerLists[i] });
    torrent.on('done', () =>
      send({ type: 'done', index: options.indexBase + i, seconds: (performance.now() - startedAt) / 1000 }),
    );
    torrent.on('peer-closed', ({ reason }) => {
      closes[reason] = (closes[reason] ?? 0) + 1;
    });
    torrent.on('error', (error) =>
      send({ type: 'error', index: options.indexBase + i, message: error.message }),
    );
    torrents.push(torrent);
  });
}

function report() {
  return {
    type: 'report',
    mismatches: storage.mismatches,
    writtenBytes: storage.writtenBytes,
    closes,
    leechers: torrents.map((t, i) => {
      const s = t.status();
      return {
        index: options.indexBase + i,
        state: s.state,
        complete: t.complete,
        verifiedBytes: s.verifiedBytes,
        downloadedBytes: s.downloadedBytes,
        uploadedBytes: s.uploadedBytes,
        hashFailures: s.hashFailures,
        peersConnected: s.peersConnected,
      };
    }),
  };
}

process.on('message', async (message) => {
  if (message.type === 'start') start(message.peers);
  if (message.type === 'report') send(report());
  if (message.type === 'stop') {
    await Promise.all(sessions.map((s) => s.close()));
    await nodePlatform.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
