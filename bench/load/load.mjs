/**
 * The two load scenarios over real TCP on 127.0.0.1, as functions the CLI (`npm run load`) and the interop test
 * call with different sizes:
 * - `runSwarmLoad`: one bitloom seeder process and `peers` bitloom leechers in a few worker processes; every
 *   leecher must complete with data identical to the payload. Reports the seeder's peak RSS (VmHWM), event-loop
 *   delay while seeding, and its connection counts.
 * - `runFloodLoad`: the same seeder, a few rate-limited leechers downloading, and a flood of connection attempts
 *   (half of them slowloris) at the seeder meanwhile. Reports accepted vs refused connections, the seeder's
 *   highest connection counts against its limits, and whether the transfers went on and completed.
 * Every child runs in its own process group and is stopped by that group's id.
 */
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseTorrent } from '@bitloom/engine';
import { sha1Inline } from '@bitloom/node';
import { ensurePayload } from './payload.mjs';

const SEEDER = fileURLToPath(new URL('./seeder-process.mjs', import.meta.url));
const LEECHERS = fileURLToPath(new URL('./leecher-process.mjs', import.meta.url));
const FLOOD = fileURLToPath(new URL('./flood-process.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('./idle-probe-process.mjs', import.meta.url));
const MIB = 1024 * 1024;
const STOP_GRACE_MS = 5000;
/** Piece buffer of each leecher: the setting's floor, so 50 leechers in one process stay within memory. */
const LEECHER_PIECE_BUFFER = 16 * MIB;

const running = new Set();

/** Forks a child in its own process group, with an IPC channel. */
function forkTracked(script, options) {
  // BITLOOM_LOAD_CPU_PROF=DIR writes a V8 CPU profile of every child there (open it in Chrome's DevTools).
  const profileDir = process.env.BITLOOM_LOAD_CPU_PROF;
  const child = fork(script, [JSON.stringify(options)], {
    execArgv: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  running.add(child);
  exited.then(() => running.delete(child));
  return { child, exited };
}

/** Resolves with the child's next message that `predicate` accepts; rejects if it exits or the time runs out. */
function nextMessage(tracked, predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!predicate(message)) return;
      done();
      resolve(message);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code, signal) => {
      done();
      reject(new Error(`${what}: the process exited (code ${code}, signal ${signal})`));
    };
    const done = () => {
      clearTimeout(timer);
      tracked.child.off('message', onMessage);
      tracked.child.off('exit', onExit);
    };
    tracked.child.on('message', onMessage);
    tracked.child.once('exit', onExit);
  });
}

function request(tracked, type, timeoutMs = 10_000) {
  const answer = nextMessage(tracked, (m) => m.type === type, timeoutMs, `${type} request`);
  tracked.child.send({ type });
  return answer;
}

async function stop(tracked) {
  if (tracked.child.exitCode === null && tracked.child.signalCode === null) {
    try {
      tracked.child.send({ type: 'stop' });
    } catch {
      // The channel is gone already.
    }
  }
  const timer = setTimeout(() => signalGroup(tracked.child.pid, 'SIGKILL'), STOP_GRACE_MS);
  await tracked.exited;
  clearTimeout(timer);
  signalGroup(tracked.child.pid, 'SIGKILL');
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every child process group still running (Ctrl-C, fatal errors). */
export function killAllChildren() {
  for (const child of running) signalGroup(child.pid, 'SIGKILL');
}

/** Peak and current resident set of a process, in MiB, from /proc. */
export async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakRssMiB: Math.round(kib('VmHWM') / 1024), rssMiB: Math.round(kib('VmRSS') / 1024) };
}

async function infoHashOf(torrentFile) {
  const info = await parseTorrent(new Uint8Array(await readFile(torrentFile)), {
    sha1: async (data) => sha1Inline(data),
  });
  return info.infoHashHex;
}

async function startSeeder(payload, settings, log) {
  const seeder = forkTracked(SEEDER, { torrentFile: payload.torrentFile, dataDir: payload.dir, settings });
  const { port } = await nextMessage(seeder, (m) => m.type === 'seeding', 120_000, 'seeder start');
  log(`seeder: pid ${seeder.child.pid} seeding on 127.0.0.1:${port}`);
  // Measures an idle process's loop delay over the same time: what the shared CPU alone costs.
  const probe = forkTracked(PROBE, {});
  return { ...seeder, port, probe };
}

async function stopSeeder(seeder) {
  await Promise.all([stop(seeder), stop(seeder.probe)]);
}

/**
 * Starts `count` leechers split over `processes` processes; resolves once all listen.
 * @returns {Promise<{ batches, ports: number[] }>}
 */
async function startLeechers(payload, count, processes, settings, downloadRate) {
  const batches = [];
  let indexBase = 0;
  for (let p = 0; p < processes; p++) {
    const n = Math.floor(count / processes) + (p < count % processes ? 1 : 0);
    if (n === 0) continue;
    const tracked = forkTracked(LEECHERS, {
      torrentFile: payload.torrentFile,
      dataFile: payload.dataFile,
      count: n,
      indexBase,
      settings: { maxPieceBufferBytes: LEECHER_PIECE_BUFFER, ...settings },
      ...(downloadRate && { downloadRate }),
    });
    batches.push({ tracked, indexBase, count: n });
    indexBase += n;
  }
  const ports = [];
  for (const batch of batches) {
    const m = await nextMessage(batch.tracked, (x) => x.type === 'listening', 60_000, 'leechers start');
    ports.push(...m.ports);
  }
  return { batches, ports };
}

/** A deterministic shuffle (mulberry32) so every run gives the leechers the same neighbours. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each leecher is given the seeder and `neighbours` other leechers, as a tracker would hand out peers. */
function peerLists(ports, seederPort, neighbours) {
  const random = seededRandom(ports.length);
  return ports.map((own) => {
    const others = ports.filter((p) => p !== own);
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [others[i], others[j]] = [others[j], others[i]];
    }
    return [seederPort, ...others.slice(0, neighbours)].map((port) => ({ host: '127.0.0.1', port }));
  });
}

function startBatches(batches, lists) {
  for (const batch of batches) {
    batch.tracked.child.send({
      type: 'start',
      peers: lists.slice(batch.indexBase, batch.indexBase + batch.count),
    });
  }
}

/** Resolves with every leecher's completion time once all are done; rejects on an error or the deadline. */
function allDone(batches, count, timeoutMs, onDone) {
  return new Promise((resolve, reject) => {
    const seconds = new Map();
    const listeners = [];
    const finish = (error) => {
      clearTimeout(timer);
      for (const [child, listener] of listeners) child.off('message', listener);
      if (error) reject(error);
      else resolve([...seconds.values()]);
    };
    const timer = setTimeout(
      () => finish(new Error(`only ${seconds.size} of ${count} leechers completed within ${timeoutMs} ms`)),
      timeoutMs,
    );
    for (const batch of batches) {
      const listener = (m) => {
        if (m.type === 'error') finish(new Error(`leecher ${m.index}: ${m.message}`));
        if (m.type !== 'done') return;
        seconds.set(m.index, m.seconds);
        onDone?.(seconds.size);
        if (seconds.size === count) finish();
      };
      batch.tracked.child.on('message', listener);
      listeners.push([batch.tracked.child, listener]);
    }
  });
}

async function leecherReports(batches) {
  const reports = await Promise.all(batches.map((b) => request(b.tracked, 'report')));
  const closes = {};
  for (const r of reports) {
    for (const [reason, n] of Object.entries(r.closes)) closes[reason] = (closes[reason] ?? 0) + n;
  }
  return {
    closes,
    mismatches: reports.reduce((sum, r) => sum + r.mismatches, 0),
    leechers: reports.flatMap((r) => r.leechers),
  };
}

function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One seeder, `peers` leechers. Sizes are parameters: the full scenario is 200 peers × 256 MiB.
 * @returns {Promise<object>} the report; `ok` is true when every leecher completed with the exact payload.
 */
export async function runSwarmLoad({
  peers = 200,
  sizeMiB = 256,
  pieceKiB = 256,
  processes = 4,
  neighbours = 10,
  timeoutSeconds = 1800,
  workDir = '/tmp/bitloom-load',
  seederSettings,
  log = () => {},
}) {
  const payload = await ensurePayload({ workDir, sizeMiB, pieceLength: pieceKiB * 1024, log });
  const settings = seederSettings ?? {
    maxConnectionsPerTorrent: peers,
    maxConnectionsPerSession: peers + 50,
  };
  const seeder = await startSeeder(payload, settings, log);
  let leechers;
  try {
    leechers = await startLeechers(payload, peers, Math.min(processes, peers), {});
    log(`leechers: ${peers} listening in ${leechers.batches.length} processes`);
    const startedAt = performance.now();
    startBatches(leechers.batches, peerLists(leechers.ports, seeder.port, neighbours));
    const progress = setInterval(
      async () => {
        const r = await request(seeder, 'report').catch(() => undefined);
        if (r)
          log(
            `  ${round((performance.now() - startedAt) / 1000)} s: seeder has ${r.connections.torrentNow} peers, uploaded ${Math.round(r.uploadedBytes / MIB)} MiB, loop p99 ${r.eventLoopDelayMs.p99} ms, ${JSON.stringify(r.peers)}`,
          );
      },
      Number(process.env.BITLOOM_LOAD_PROGRESS_MS ?? 10_000),
    );
    let completions;
    let failure;
    try {
      completions = await allDone(leechers.batches, peers, timeoutSeconds * 1000, (n) => {
        if (n % Math.max(1, Math.floor(peers / 10)) === 0) log(`  ${n}/${peers} leechers complete`);
      });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      clearInterval(progress);
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const seederReport = await request(seeder, 'report');
    const idle = await request(seeder.probe, 'report');
    const memory = await memoryOf(seeder.child.pid);
    const checked = await leecherReports(leechers.batches);
    const complete = checked.leechers.filter((l) => l.complete).length;
    const leecherMemory = await Promise.all(leechers.batches.map((b) => memoryOf(b.tracked.child.pid)));
    return {
      scenario: 'swarm',
      ok: failure === undefined && complete === peers && checked.mismatches === 0,
      ...(failure && { failure }),
      peers,
      sizeMiB,
      pieceKiB,
      processes: leechers.batches.length,
      seconds: round(seconds),
      aggregateMBps: round((complete * payload.totalBytes) / 1e6 / seconds),
      seeder: {
        peakRssMiB: memory.peakRssMiB,
        rssMiB: memory.rssMiB,
        eventLoopDelayMs: seederReport.eventLoopDelayMs,
        idleProcessLoopDelayMs: idle.eventLoopDelayMs,
        connections: seederReport.connections,
        events: seederReport.events,
        uploadedMiB: Math.round(seederReport.uploadedBytes / MIB),
      },
      leechers: {
        complete,
        mismatches: checked.mismatches,
        hashFailures: checked.leechers.reduce((sum, l) => sum + l.hashFailures, 0),
        closes: checked.closes,
        completionSeconds: completions && {
          p50: round(percentile(completions, 50)),
          max: round(Math.max(...completions)),
        },
        peakRssMiBPerProcess: leecherMemory.map((m) => m.peakRssMiB),
      },
    };
  } finally {
    await Promise.all([stopSeeder(seeder), ...(leechers?.batches ?? []).map((b) => stop(b.tracked))]);
  }
}

/**
 * A flood of connection attempts at a seeder while `leechers` rate-limited leechers download from it.
 * The seeder keeps its default limits unless `seederSettings` says otherwise.
 */
export async function runFloodLoad({
  sizeMiB = 64,
  pieceKiB = 256,
  leechers: leecherCount = 4,
  leecherRate = 1 * MIB,
  ratePerSecond = 500,
  seconds = 20,
  trickleIntervalMs = 200,
  workDir = '/tmp/bitloom-load',
  seederSettings = {},
  log = () => {},
}) {
  const payload = await ensurePayload({ workDir, sizeMiB, pieceLength: pieceKiB * 1024, log });
  const seeder = await startSeeder(payload, seederSettings, log);
  let leechers;
  let flood;
  try {
    leechers = await startLeechers(payload, leecherCount, 1, {}, leecherRate);
    startBatches(leechers.batches, peerLists(leechers.ports, seeder.port, 0));
    const done = allDone(leechers.batches, leecherCount, 600_000);
    done.catch(() => {});
    // The transfers are under way before the flood starts.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await leecherReports(leechers.batches);
    const seederBefore = await request(seeder, 'report');
    log(
      `flood: ${ratePerSecond} connections/s for ${seconds} s, half trickling a byte every ${trickleIntervalMs} ms`,
    );
    const handshakeTimeoutMs = seederSettings.handshakeTimeoutMs ?? 10_000;
    flood = forkTracked(FLOOD, {
      host: '127.0.0.1',
      port: seeder.port,
      infoHashHex: await infoHashOf(payload.torrentFile),
      ratePerSecond,
      seconds,
      trickleIntervalMs,
      graceMs: handshakeTimeoutMs + 5000,
    });
    const floodReport = nextMessage(flood, (m) => m.type === 'report', (seconds + 60) * 1000, 'flood');
    await nextMessage(flood, (m) => m.type === 'flooded', (seconds + 30) * 1000, 'flood');
    const after = await leecherReports(leechers.batches);
    const seederDuring = await request(seeder, 'report');
    const { type: _type, ...flooded } = await floodReport;
    let failure;
    await done.catch((error) => {
      failure = error.message;
    });
    const final = await leecherReports(leechers.batches);
    const seederReport = await request(seeder, 'report');
    const idle = await request(seeder.probe, 'report');
    const memory = await memoryOf(seeder.child.pid);
    const byIndex = (report) => new Map(report.leechers.map((l) => [l.index, l.downloadedBytes]));
    const [b, a] = [byIndex(before), byIndex(after)];
    const downloadedDuringFlood = [...a].map(([index, bytes]) => bytes - (b.get(index) ?? 0));
    const { limits } = seederReport.connections;
    const complete = final.leechers.filter((l) => l.complete).length;
    const limitsHeld =
      seederReport.connections.maxSession <= limits.session &&
      seederReport.connections.maxTorrent <= limits.torrent;
    return {
      scenario: 'flood',
      ok: failure === undefined && complete === leecherCount && final.mismatches === 0 && limitsHeld,
      ...(failure && { failure }),
      limitsHeld,
      ratePerSecond,
      seconds,
      flood: flooded,
      seeder: {
        peakRssMiB: memory.peakRssMiB,
        eventLoopDelayMs: seederReport.eventLoopDelayMs,
        idleProcessLoopDelayMs: idle.eventLoopDelayMs,
        connections: seederReport.connections,
        refusedAtAccept: seederReport.events.refusedAtAccept - seederBefore.events.refusedAtAccept,
        overTorrentLimit: seederReport.events.overTorrentLimit - seederBefore.events.overTorrentLimit,
        refused: seederReport.events.refused,
        closed: seederReport.events.closed,
        connectionsAtFloodEnd: seederDuring.connections.now,
      },
      leechers: {
        count: leecherCount,
        complete,
        mismatches: final.mismatches,
        rateLimitBytesPerSecond: leecherRate,
        downloadedDuringFloodMiB: downloadedDuringFlood.map((x) => round(x / MIB)),
      },
    };
  } finally {
    await Promise.all([
      stopSeeder(seeder),
      ...(flood ? [stop(flood)] : []),
      ...(leechers?.batches ?? []).map((x) => stop(x.tracked)),
    ]);
  }
}
