/**
 * The two transfers every engine interop test file runs against a real client, one test per payload: bitloom
 * downloads from the client seeding, and the client downloads from bitloom seeding (seeds do not dial out, so
 * the client dials bitloom's listen port). Each download is compared byte for byte with the source; a failure
 * carries bitloom's status and timed peer events, and the client's stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BitloomPeer, startBitloom, untilDone } from './bitloom.js';
import type { JsonLine } from './child-process.js';
import { differingFiles, type Fixture, makeFixtures, sizeLabel } from './payloads.js';
import type { PeerOptions, PeerProcess } from './peer-process.js';

export interface EngineInteropOptions {
  /** The client's name in test titles. */
  client: string;
  /** Title of the client-downloads-from-bitloom group; default `<client> downloads from a bitloom seeder`. */
  leecherTitle?: string;
  /** Folder-name prefix under the OS temp folder. */
  tempPrefix: string;
  /** Single-file piece lengths to run (the multi-file payload always runs). */
  pieceLengths: readonly number[];
  startSeeder(options: PeerOptions): Promise<PeerProcess>;
  runLeecher(options: PeerOptions & { timeoutMs?: number }): Promise<{ port: number; lines: JsonLine[] }>;
  /** Per transfer; default 60 s. */
  timeoutMs?: number;
}

/** Test titles are fixed before `beforeAll` runs: one per fixture, in `makeFixtures` order. */
function caseLabels(pieceLengths: readonly number[]): string[] {
  return [
    ...pieceLengths.map((length) => `single file, ${sizeLabel(length)} pieces`),
    'multi-file (nested, zero-length file, 1-byte last piece)',
  ];
}

/** Declares `bitloom downloads from a <client> seeder` and `<client> downloads from a bitloom seeder`. */
export function describeEngineInterop(options: EngineInteropOptions): void {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const labels = caseLabels(options.pieceLengths);
  let work: string;
  let fixtures: Fixture[] = [];
  const bitloomPeers: BitloomPeer[] = [];
  const clients: PeerProcess[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), options.tempPrefix));
    fixtures = await makeFixtures(work, options.pieceLengths);
    expect(fixtures.map((fixture) => fixture.label)).toEqual(labels);
  });

  afterEach(async () => {
    await Promise.all([
      ...bitloomPeers.splice(0).map((peer) => peer.close()),
      ...clients.splice(0).map((peer) => peer.stop()),
    ]);
  });

  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  const fixtureFor = (label: string): Fixture => {
    const fixture = fixtures.find((f) => f.label === label);
    if (fixture === undefined) throw new Error(`no fixture ${label}`);
    return fixture;
  };

  describe(`bitloom downloads from a ${options.client} seeder`, () => {
    for (const label of labels) {
      it(label, async () => {
        const fixture = fixtureFor(label);
        const seeder = await options.startSeeder({
          torrentFile: fixture.torrentFile,
          dataDir: fixture.dataDir,
        });
        clients.push(seeder);
        const dir = join(work, `bitloom-from-client-${fixture.pieceLength}`);
        const leecher = await startBitloom({
          torrentFile: fixture.torrentFile,
          savePath: dir,
          connect: [`127.0.0.1:${seeder.port}`],
        });
        bitloomPeers.push(leecher);
        let status: Awaited<ReturnType<typeof untilDone>>;
        try {
          status = await untilDone(leecher, timeoutMs);
        } catch (error) {
          const stderr = seeder.process.stderr.slice(-4000);
          throw new Error(`${(error as Error).message}\n--- ${options.client} stderr ---\n${stderr}`);
        }
        expect(status.state).toBe('seeding');
        expect(status.verifiedBytes).toBe(status.totalBytes);
        expect(status.hashFailures).toBe(0);
        expect(await differingFiles(fixture, dir)).toEqual([]);
      });
    }
  });

  describe(options.leecherTitle ?? `${options.client} downloads from a bitloom seeder`, () => {
    for (const label of labels) {
      it(label, async () => {
        const fixture = fixtureFor(label);
        const seeder = await startBitloom({ torrentFile: fixture.torrentFile, savePath: fixture.dataDir });
        bitloomPeers.push(seeder);
        const checked = await untilDone(seeder, timeoutMs);
        expect(checked.state).toBe('seeding');
        const dir = join(work, `client-from-bitloom-${fixture.pieceLength}`);
        try {
          const result = await options.runLeecher({
            torrentFile: fixture.torrentFile,
            dataDir: dir,
            connect: [`127.0.0.1:${seeder.port}`],
            timeoutMs,
          });
          expect(result.lines.at(-1)).toMatchObject({ event: 'complete' });
        } catch (error) {
          const status = JSON.stringify(seeder.torrent.status());
          throw new Error(
            `${(error as Error).message}\n--- bitloom seeder status ---\n${status}\n--- bitloom seeder events ---\n${seeder.log.join('\n')}`,
          );
        }
        expect(await differingFiles(fixture, dir)).toEqual([]);
        expect(seeder.torrent.status().uploadedBytes).toBeGreaterThanOrEqual(checked.totalBytes);
      });
    }
  });
}
