/**
 * The leechers the benchmark times, in the order it runs them: how to start each one on loopback, and what it
 * needs to be there. Every command exits 0 only once the whole torrent is downloaded and hash-verified; the
 * runner compares the file with the payload afterwards anyway.
 */
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bitloomCliArgs } from './bitloom-cli.mjs';
import { runToCompletion } from './processes.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARIA2_COMPLETE_HOOK = fileURLToPath(new URL('../aria2-complete.sh', import.meta.url));
const WEBTORRENT_PEER = fileURLToPath(new URL('../../interop/webtorrent/peer.mjs', import.meta.url));
const WEBTORRENT_PACKAGE = fileURLToPath(
  new URL('../../interop/webtorrent/node_modules/webtorrent/package.json', import.meta.url),
);

/**
 * @typedef {object} LeechContext
 * @property {{ torrentFile: string }} payload
 * @property {string} downloadDir  fresh and empty
 * @property {number[]} seederPorts  the seeders on 127.0.0.1 (clients that find peers through the tracker ignore them)
 * @property {string | undefined} trackerUrl
 * @property {number} listenPort   a free port, for clients that must listen on one
 * @property {string} python
 * @property {string} libtorrentScript
 * @property {number} timeoutSeconds  the runner's deadline, for clients that want one of their own
 */

/**
 * @typedef {object} Leecher
 * @property {string} name
 * @property {boolean} needsTracker
 * @property {() => Promise<string | null>} unavailableReason  null when it can run
 * @property {(tools: { python: string }) => Promise<string>} version
 * @property {((line: unknown) => boolean) | undefined} isCompletionLine  a JSON stdout line that marks verified
 *   completion, for clients that print one before shutting down; the others are timed to their exit
 * @property {(context: LeechContext) => { command: string, args: string[], cwd: string }} command
 */

/**
 * bitloom as a leecher, run from the checkout at `root` (this one, or `BENCH_BASELINE`'s).
 * @param {string} name
 * @param {string} root  a checkout with `npm run build` done
 * @returns {Leecher}
 */
function bitloomLeecher(name, root) {
  const bin = join(root, 'packages/cli/bin/bitloom.js');
  return {
    name,
    needsTracker: false,
    unavailableReason: async () =>
      (await exists(join(root, 'packages/cli/dist/index.js')))
        ? null
        : `${join(root, 'packages/cli/dist')} is missing: run \`npm run build\` there first`,
    version: async () => {
      const { version } = JSON.parse(await readFile(join(root, 'packages/cli/package.json'), 'utf8'));
      const commit = await runToCompletion('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).catch(
        () => '?',
      );
      return `${version} (git ${commit.trim()})`;
    },
    // `done` comes once every piece is verified and the files are flushed; closing the session follows.
    isCompletionLine: (line) => line?.event === 'done',
    command: ({ payload, downloadDir, seederPorts }) => ({
      command: process.execPath,
      args: bitloomCliArgs(
        [
          'download',
          payload.torrentFile,
          '-o',
          downloadDir,
          ...seederPorts.flatMap((port) => ['--peer', `127.0.0.1:${port}`]),
          '--listen',
          '127.0.0.1',
          // Loopback only: no DHT (it would bootstrap from the public routers).
          '--no-dht',
          // NDJSON events instead of the progress display: `done` marks verified completion, as the others' lines.
          '--json',
        ],
        bin,
      ),
      cwd: root,
      env: bitloomEnv(downloadDir),
    }),
  };
}

/**
 * `BENCH_BASELINE=/path/to/checkout` adds a leecher `bitloom-base` that runs that checkout's build, so two builds
 * are compared in the same run, trial by trial, on the same machine state (run it with `--only bitloom,bitloom-base`).
 */
const BASELINE = process.env.BENCH_BASELINE;

/** @type {Leecher[]} */
export const LEECHERS = [
  bitloomLeecher('bitloom', REPO_ROOT),
  ...(BASELINE ? [bitloomLeecher('bitloom-base', BASELINE)] : []),
  {
    name: 'libtorrent',
    needsTracker: false,
    unavailableReason: async () => null,
    version: async ({ python }) =>
      (await runToCompletion(python, ['-c', 'import libtorrent; print(libtorrent.__version__)'])).trim(),
    isCompletionLine: (line) => line?.event === 'complete',
    command: ({ payload, downloadDir, seederPorts, python, libtorrentScript }) => ({
      command: python,
      args: [
        libtorrentScript,
        'leech',
        payload.torrentFile,
        downloadDir,
        ...seederPorts.flatMap((port) => ['--connect', `127.0.0.1:${port}`]),
      ],
      cwd: REPO_ROOT,
    }),
  },
  {
    name: 'webtorrent',
    needsTracker: false,
    unavailableReason: async () => {
      if (!(await exists(WEBTORRENT_PEER))) return 'interop/webtorrent/peer.mjs is missing';
      if (!(await exists(WEBTORRENT_PACKAGE))) {
        return 'webtorrent is not installed in interop/webtorrent (npm install --ignore-scripts there)';
      }
      return null;
    },
    version: async () => JSON.parse(await readFile(WEBTORRENT_PACKAGE, 'utf8')).version,
    // peer.mjs prints `complete` once every piece is verified, then takes up to 2 s to destroy its client.
    isCompletionLine: (line) => line?.event === 'complete',
    command: ({ payload, downloadDir, seederPorts, timeoutSeconds }) => ({
      command: process.execPath,
      args: [
        WEBTORRENT_PEER,
        'leech',
        payload.torrentFile,
        downloadDir,
        ...seederPorts.flatMap((port) => ['--connect', `127.0.0.1:${port}`]),
        '--timeout',
        String(timeoutSeconds),
      ],
      cwd: REPO_ROOT,
    }),
  },
  {
    name: 'aria2',
    needsTracker: true,
    unavailableReason: async () => {
      for (const tool of ['aria2c', 'opentracker']) {
        const found = await runToCompletion('sh', ['-c', `command -v ${tool}`]).catch(() => '');
        if (!found.trim()) return `${tool} is not installed`;
      }
      return null;
    },
    version: async () => (await runToCompletion('aria2c', ['--version'])).split('\n')[0].trim(),
    // The hook prints `complete` when the last piece passed; aria2 then waits about a second for its tick to
    // send the final announce before it exits.
    isCompletionLine: (line) => line?.event === 'complete',
    command: ({ payload, downloadDir, trackerUrl, listenPort }) => ({
      command: 'aria2c',
      args: [
        '--enable-dht=false',
        '--enable-dht6=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=false',
        '--interface=127.0.0.1',
        '--disable-ipv6=true',
        `--listen-port=${listenPort}`,
        `--bt-tracker=${trackerUrl}`,
        '--seed-time=0',
        `--on-bt-download-complete=${ARIA2_COMPLETE_HOOK}`,
        // Sparse files, as the other clients use; aria2's default writes zeros over the whole file first.
        '--file-allocation=none',
        '--bt-save-metadata=false',
        '--summary-interval=0',
        '--console-log-level=warn',
        '--download-result=hide',
        `--dir=${downloadDir}`,
        payload.torrentFile,
      ],
      cwd: REPO_ROOT,
    }),
  },
];

/**
 * bitloom's environment: its resume data goes to a folder of the trial (deleted with it), not to the user's
 * ~/.local/state. It is saved as by default, so its cost is measured.
 */
export function bitloomEnv(trialDir) {
  return { ...process.env, XDG_STATE_HOME: join(trialDir, '.bitloom-state') };
}

/**
 * Names the bitloom packages whose compiled `dist` is older than their newest source file: the benchmark would
 * time stale code there.
 */
export async function staleBitloomBuilds() {
  const stale = [];
  for (const name of ['engine', 'node', 'cli']) {
    const root = fileURLToPath(new URL(`../../packages/${name}/`, import.meta.url));
    const newestSource = await newestModification(join(root, 'src'));
    const newestBuild = await newestModification(join(root, 'dist'));
    if (newestSource > newestBuild) stale.push(`packages/${name}`);
  }
  return stale;
}

async function newestModification(dir) {
  let newest = 0;
  let entries = [];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const { mtimeMs } = await stat(join(entry.parentPath ?? entry.path, entry.name));
    newest = Math.max(newest, mtimeMs);
  }
  return newest;
}

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
