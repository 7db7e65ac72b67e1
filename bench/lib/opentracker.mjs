/**
 * Debian's opentracker on 127.0.0.1, for aria2, which finds peers only through a tracker. opentracker is built
 * with a whitelist and drops privileges after chroot-ing into its folder, so the whitelist (one hex info-hash a
 * line) lives in a world-readable folder and is named relative to that folder.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, spawnTracked, stopGroup } from './processes.mjs';

const READY_TIMEOUT_MS = 10_000;

/**
 * Starts opentracker for one info-hash.
 * @returns {Promise<{ announceUrl: string, stop: () => Promise<void> }>}
 */
export async function startOpentracker({ workDir, infoHash }) {
  const dir = join(workDir, 'opentracker');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'whitelist'), `${infoHash}\n`, { mode: 0o644 });
  const port = await freePort();
  const tracked = spawnTracked(
    'opentracker',
    ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-d', dir, '-w', '/whitelist'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await waitForListening(port, tracked);
  } catch (error) {
    await stopGroup(tracked);
    throw error;
  }
  return {
    announceUrl: `http://127.0.0.1:${port}/announce`,
    stop: async () => {
      await stopGroup(tracked);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForListening(port, tracked) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (tracked.child.exitCode !== null) throw new Error(`opentracker exited: ${tracked.output.text}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`opentracker did not listen on 127.0.0.1:${port}: ${tracked.output.text}`);
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
