/**
 * Crash-safe resume through the real `bitloom` command against a libtorrent seeder on loopback: SIGKILLed at
 * seeded random points three times, restarted, finished — the file is byte-identical and the seeder uploaded at
 * most the payload plus what can be in flight at each kill. Also: Ctrl-C saves resume data and the restart
 * trusts it; damaged resume files and a deleted data file mean a hash check; a restarted magnet link needs no
 * peer for its metadata; complete data already in the folder is adopted with nothing downloaded.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnBitloom } from './harness/bitloom-cli.js';
import type { JsonLine, JsonLineChild } from './harness/child-process.js';
import { libtorrentCreate, startLibtorrentSeeder } from './harness/libtorrent.js';
import { differingFiles, type Fixture } from './harness/payloads.js';
import type { PeerProcess } from './harness/peer-process.js';
import { makePayload } from './harness/tools.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** 16 MiB and a bit: the last piece is short. At the rate limit below, about eight seconds of transfer. */
const PAYLOAD = 16 * MiB + 777;
const PIECE = 64 * KiB;
/** bitloom's --max-down: slow enough that each run is killed mid-download. */
const RATE = 2 * MiB;
const KILLS = 3;
/**
 * What one kill can cost, in bytes: bitloom has no more requested and unreceived than its rate-limit bucket holds
 * (half a second of the rate), and loses the pieces still being assembled when it dies (the picker finishes
 * started pieces first: two at most here). Verified pieces not yet in the resume data are adopted by the hash
 * check of the file written since.
 */
const IN_FLIGHT_PER_KILL = RATE / 2 + 2 * PIECE;

let work: string;
let fixture: Fixture;
let seeder: PeerProcess;
let buildOutput = '';
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-resume-kill-'));
  const dataDir = join(work, 'seed');
  await makePayload(dataDir, { seed: 61, files: [{ path: 'payload.bin', length: PAYLOAD }] });
  const torrentFile = join(work, 'payload.torrent');
  const [, output] = await Promise.all([
    libtorrentCreate(join(dataDir, 'payload.bin'), torrentFile, PIECE),
    buildCli(),
  ]);
  buildOutput = output;
  fixture = {
    label: 'payload',
    torrentFile,
    dataDir,
    files: [{ path: 'payload.bin', length: PAYLOAD }],
    pieceLength: PIECE,
  };
  seeder = await startLibtorrentSeeder({ torrentFile, dataDir });
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

afterAll(async () => {
  await seeder?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** `bitloom download` from the seeder into `dir`, NDJSON events on stdout, resume data under `state`. */
function download(dir: string, state: string): JsonLineChild {
  const child = spawnBitloom(
    [
      'download',
      fixture.torrentFile,
      '-o',
      dir,
      '--peer',
      `127.0.0.1:${seeder.port}`,
      '--no-dht',
      '--json',
      '--max-down',
      String(RATE),
    ],
    { XDG_STATE_HOME: state },
  );
  running.push(child);
  return child;
}

async function finishes(child: JsonLineChild): Promise<JsonLine> {
  const status = await child.waitForExit(120_000);
  await child.stdoutClosed;
  if (status !== 0) throw child.failure(`exited with ${status}\n${buildOutput}`);
  return child.lines.find((line) => line.event === 'done')!;
}

const resumeOf = (child: JsonLineChild) => child.waitForLine((line) => line.event === 'resume', 60_000);

/** The seeder's upload counter once it has reported after everything so far (it reports every second). */
async function seederUploaded(): Promise<number> {
  const seen = seeder.process.lines.length;
  await seeder.process.waitForLine(() => seeder.process.lines.length > seen + 1, 10_000);
  return Number(seeder.latestStatus()?.uploaded);
}

const folder = async (name: string) => {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return dir;
};

describe('bitloom download resumes after crashes and restarts', () => {
  it(`kill -9 at ${KILLS} random points, restart, finish: byte-identical, at most payload + in-flight downloaded`, async () => {
    const dir = await folder('killed');
    const state = await folder('killed-state');
    const random = new SeededRandom(20_261_204);
    const uploadedBefore = await seederUploaded();
    const outcomes: JsonLine[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = download(dir, state);
      outcomes.push(await resumeOf(child));
      // A random point 1.2–2.4 s into the transfer (the resume data is first saved on the tick after the check).
      await new Promise((resolve) => setTimeout(resolve, 1200 + random.float() * 1200));
      expect(child.exitStatus).toBeUndefined();
      child.signal('SIGKILL');
      expect(await child.waitForExit(10_000)).toBe('SIGKILL');
    }
    const last = download(dir, state);
    outcomes.push(await resumeOf(last));
    await finishes(last);
    expect(await differingFiles(fixture, dir)).toEqual([]);
    // Every restart found the record the run before it saved (its file was written since, so it was hashed).
    for (const outcome of outcomes.slice(1)) expect(outcome.resumed).toBe(true);
    const uploaded = (await seederUploaded()) - uploadedBefore;
    const bound = PAYLOAD + KILLS * IN_FLIGHT_PER_KILL;
    console.log(
      `resume-kill: payload ${PAYLOAD} B, seeder uploaded ${uploaded} B (${(uploaded / PAYLOAD).toFixed(3)}× payload, bound ${bound} B); restarts: ${outcomes
        .slice(1)
        .map((o) => `trusted ${o.trustedPieces}, checked ${o.checkedPieces}`)
        .join('; ')}`,
    );
    expect(uploaded).toBeGreaterThanOrEqual(PAYLOAD);
    expect(uploaded).toBeLessThanOrEqual(bound);
  });

  it('Ctrl-C saves resume data: the restart trusts it, hashing only a spot check, and fetches only the rest', async () => {
    const dir = await folder('interrupted');
    const state = await folder('interrupted-state');
    const first = download(dir, state);
    const progress = await first.waitForLine(
      (line) => line.event === 'progress' && Number(line.verifiedBytes) >= 4 * MiB,
      60_000,
    );
    first.signal('SIGINT');
    expect(await first.waitForExit(30_000)).toBe(130);
    expect(await readdir(join(state, 'bitloom', 'resume'))).toContain(`${seeder.infoHash}.resume`);
    const again = download(dir, state);
    const outcome = await resumeOf(again);
    expect(outcome).toMatchObject({ resumed: true, changedFiles: [] });
    expect(Number(outcome.trustedPieces)).toBeGreaterThanOrEqual(Number(progress.verifiedBytes) / PIECE);
    expect(Number(outcome.checkedPieces)).toBeLessThanOrEqual(4);
    const done = await finishes(again);
    expect(Number(done.downloadedBytes)).toBeLessThanOrEqual(
      PAYLOAD - Number(outcome.trustedPieces) * PIECE + PIECE,
    );
    expect(await differingFiles(fixture, dir)).toEqual([]);

    // Damaged resume files (both copies): every piece is hashed, the complete data is kept, nothing downloaded.
    const resumeDir = join(state, 'bitloom', 'resume');
    for (const name of await readdir(resumeDir)) await writeFile(join(resumeDir, name), 'd4:data3:abce');
    const damaged = download(dir, state);
    const damagedOutcome = await resumeOf(damaged);
    expect(damagedOutcome.resumed).toBe(false);
    expect(String(damagedOutcome.reason)).toMatch(/RESUME_MALFORMED/);
    expect(Number((await finishes(damaged)).downloadedBytes)).toBe(0);

    // The data file deleted: the record is used, the file's pieces are hashed (none there) and fetched again.
    await rm(join(dir, 'payload.bin'));
    const deleted = download(dir, state);
    expect(await resumeOf(deleted)).toMatchObject({ resumed: true, changedFiles: ['file 0 was deleted'] });
    expect(Number((await finishes(deleted)).downloadedBytes)).toBe(PAYLOAD);
    expect(await differingFiles(fixture, dir)).toEqual([]);
  });

  it('a magnet link restarted over an earlier download takes its metadata from the resume data (no peer needed for it)', async () => {
    const dir = await folder('magnet');
    const state = await folder('magnet-state');
    const magnet = `magnet:?xt=urn:btih:${seeder.infoHash}`;
    const args = (peer: string) => ['download', magnet, '-o', dir, '--peer', peer, '--no-dht', '--json'];
    const first = spawnBitloom([...args(`127.0.0.1:${seeder.port}`), '--max-down', String(RATE)], {
      XDG_STATE_HOME: state,
    });
    running.push(first);
    await first.waitForLine((line) => line.event === 'progress' && Number(line.verifiedBytes) > 0, 60_000);
    first.signal('SIGINT');
    expect(await first.waitForExit(30_000)).toBe(130);
    // Port 1 on loopback: nobody there, so the metadata can only come from the resume data.
    const again = spawnBitloom(args('127.0.0.1:1'), { XDG_STATE_HOME: state });
    running.push(again);
    const metadata = await again.waitForLine((line) => line.event === 'metadata', 30_000);
    expect(metadata.infoHash).toBe(seeder.infoHash);
    expect(await resumeOf(again)).toMatchObject({ resumed: true, changedFiles: [] });
    again.signal('SIGINT');
    expect(await again.waitForExit(30_000)).toBe(130);
  });

  it('complete data already in the folder (copied from elsewhere) is adopted by its hash check: nothing downloaded', async () => {
    const dir = await folder('copied');
    const state = await folder('copied-state');
    await copyFile(join(fixture.dataDir, 'payload.bin'), join(dir, 'payload.bin'));
    const child = download(dir, state);
    expect(await resumeOf(child)).toMatchObject({ resumed: false, reason: 'no resume data' });
    expect(Number((await finishes(child)).downloadedBytes)).toBe(0);
    expect(await differingFiles(fixture, dir)).toEqual([]);
  });
});
