/**
 * The libtorrent seeder every leecher downloads from: one fresh seeder per download, so each leecher meets the
 * same seeder state (libtorrent's seed_mode hashes each piece the first time it is asked for, which a shared
 * seeder would do only for the first leecher). It listens on 127.0.0.1 and, when given a tracker, has announced
 * itself there before it reports ready.
 */
import { spawnTracked, stopGroup, waitForJsonLine } from './processes.mjs';

const READY_TIMEOUT_MS = 40_000;

/**
 * @returns {Promise<{ port: number, stop: () => Promise<void> }>}
 */
export async function startSeeder({ python, script, payload, trackerUrl }) {
  const args = [script, 'seed', payload.torrentFile, payload.dir];
  if (trackerUrl) args.push('--tracker', trackerUrl);
  const tracked = spawnTracked(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const ready = await waitForJsonLine(
      tracked,
      (line) => line.event === 'ready',
      READY_TIMEOUT_MS,
      'seeder',
    );
    return {
      port: ready.port,
      stop: async () => {
        tracked.child.stdin.end();
        await stopGroup(tracked);
      },
    };
  } catch (error) {
    await stopGroup(tracked);
    throw error;
  }
}
