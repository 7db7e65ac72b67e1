/**
 * The load scenarios (bench/load, `npm run load`) at CI size (100 leechers × 2 MiB; a 5 s flood), over real TCP on 127.0.0.1 with bitloom processes
 * on both sides. They assert completion, exact data and connection-limit behaviour, never timings: the full-size
 * figures (200 peers × 256 MiB, RSS, event-loop delay) come from `npm run load` and are reported, not tested.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren, runFloodLoad, runSwarmLoad } from '../bench/load/load.mjs';

const WORK_DIR = '/tmp/bitloom-load-ci';
const note = (message: string) => process.stdout.write(`[load] ${message}\n`);

afterAll(() => killAllChildren());

describe('load on loopback', () => {
  it('100 leechers on one seeder whose limits admit fewer: every leecher completes with the exact payload', async () => {
    const report = await runSwarmLoad({
      peers: 100,
      sizeMiB: 2,
      pieceKiB: 64,
      processes: 2,
      workDir: WORK_DIR,
      // Fewer slots than leechers: the seeder must turn some away and the swarm must still complete.
      seederSettings: { maxConnectionsPerTorrent: 60, maxConnectionsPerSession: 80 },
      log: note,
    });
    note(JSON.stringify({ seconds: report.seconds, seeder: report.seeder, leechers: report.leechers }));
    expect(report.failure).toBeUndefined();
    expect(report.leechers.complete).toBe(100);
    expect(report.leechers.mismatches).toBe(0);
    expect(report.ok).toBe(true);
    const { connections, events } = report.seeder;
    expect(connections.maxSession).toBeLessThanOrEqual(80);
    expect(connections.maxTorrent).toBeLessThanOrEqual(60);
    expect(events.refusedAtAccept + events.overTorrentLimit).toBeGreaterThan(0);
  }, 600_000);

  it('500 connection attempts/s, half trickling a handshake: limits hold, leechers keep downloading and complete', async () => {
    const report = await runFloodLoad({
      sizeMiB: 16,
      leechers: 2,
      leecherRate: 1024 * 1024,
      ratePerSecond: 500,
      seconds: 5,
      workDir: WORK_DIR,
      log: note,
    });
    note(JSON.stringify({ flood: report.flood, seeder: report.seeder, leechers: report.leechers }));
    expect(report.failure).toBeUndefined();
    expect(report.limitsHeld).toBe(true);
    expect(report.leechers.complete).toBe(2);
    expect(report.leechers.mismatches).toBe(0);
    expect(report.ok).toBe(true);
    // The session filled up and turned the rest away at accept.
    expect(report.seeder.connections.maxSession).toBe(report.seeder.connections.limits.session);
    expect(report.seeder.refusedAtAccept).toBeGreaterThan(0);
    // No trickler ever got our handshake, and the seeder closed every one (refused, evicted or timed out).
    expect(report.flood.trickle.accepted).toBe(0);
    expect(report.flood.trickle.refused + report.flood.trickle.timedOut).toBeGreaterThan(0);
    expect(report.flood.trickle.open).toBe(0);
    // The transfers went on during the flood.
    for (const mib of report.leechers.downloadedDuringFloodMiB) expect(mib).toBeGreaterThan(0);
  }, 300_000);
});
