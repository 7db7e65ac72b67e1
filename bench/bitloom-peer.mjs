/**
 * bitloom as the benchmark's seeder, driven through the library (@bitloom/node) so the suite can seed many
 * torrents from one session and look inside the process:
 *
 *   node bench/bitloom-peer.mjs seed DATA_DIR TORRENT... [--torrents-dir DIR] [--tracker URL]
 *
 * One session on 127.0.0.1 (a free port, no DHT) adds every torrent (and every *.torrent in --torrents-dir) with
 * its data under DATA_DIR, checks the data (as `bitloom seed` does), and once every torrent is seeding prints
 * {"event":"ready","port","startupSeconds","torrents","rssBytes"} (startupSeconds: from process start). It then
 * seeds, sampling the event loop's delay, until stdin closes or SIGTERM, prints {"event":"stats","uploaded",
 * "eventLoopDelayMs":{p50,p99,max},"rssBytes"} and exits 0.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseTorrent } from '@bitloom/engine';
import { createSession, sha1Inline } from '@bitloom/node';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const hasher = { sha1: async (data) => sha1Inline(data) };

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'torrents-dir': { type: 'string' }, tracker: { type: 'string' } },
  });
  const [mode, dataDir, ...torrentFiles] = positionals;
  if (mode !== 'seed' || !dataDir) throw new Error('usage: bitloom-peer.mjs seed DATA_DIR TORRENT...');
  if (values['torrents-dir']) {
    const names = (await readdir(values['torrents-dir'])).filter((name) => name.endsWith('.torrent')).sort();
    torrentFiles.push(...names.map((name) => join(values['torrents-dir'], name)));
  }
  const session = await createSession({ listen: { host: '127.0.0.1', port: 0 } });
  const trackers = values.tracker ? [[values.tracker]] : undefined;
  const seeding = [];
  for (const file of torrentFiles) {
    const metainfo = await parseTorrent(new Uint8Array(await readFile(file)), hasher);
    const torrent = session.addTorrent(metainfo, { savePath: dataDir, ...(trackers && { trackers }) });
    seeding.push(untilSeeding(torrent, file));
  }
  await Promise.all(seeding);
  emit({
    event: 'ready',
    port: session.listenPort,
    startupSeconds: performance.now() / 1000,
    torrents: session.torrents.size,
    rssBytes: process.memoryUsage.rss(),
  });

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('error', resolve);
    process.stdin.resume();
    process.once('SIGTERM', resolve);
  });
  delay.disable();
  let uploaded = 0;
  for (const torrent of session.torrents.values()) uploaded += torrent.status().uploadedBytes;
  const ms = (nanoseconds) => nanoseconds / 1e6;
  emit({
    event: 'stats',
    uploaded,
    eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    rssBytes: process.memoryUsage.rss(),
  });
  await session.close();
}

/** Resolves once the torrent has checked its data and found it complete; rejects if it fails or is incomplete. */
function untilSeeding(torrent, file) {
  return new Promise((resolve, reject) => {
    const settle = () => {
      const { state, error } = torrent.status();
      if (state === 'seeding') resolve();
      else if (state === 'error') reject(new Error(`${file}: ${error}`));
      else if (state === 'downloading') reject(new Error(`${file}: the data in the folder is incomplete`));
    };
    torrent.on('state', settle);
    settle();
  });
}

main().catch((error) => {
  process.stderr.write(`bitloom-peer: ${error?.stack ?? error}\n`);
  process.exit(1);
});
