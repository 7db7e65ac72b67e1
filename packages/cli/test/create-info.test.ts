import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import type { MetainfoJson } from '../src/render-metainfo.js';
import { runCli } from './run-cli.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-cli-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const content = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * seed + 11) & 0xff);
const sha1Hex = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

async function makeTree(): Promise<{ dir: string; data: Uint8Array[] }> {
  const dir = join(work, 'album');
  await mkdir(join(dir, 'cd1'), { recursive: true });
  const data = [content(100_000, 3), content(0, 5), content(12_345, 7)];
  await writeFile(join(dir, 'cd1', 'a.flac'), data[0]!);
  await writeFile(join(dir, 'cd1', 'b.empty'), data[1]!);
  await writeFile(join(dir, 'cover.jpg'), data[2]!);
  return { dir, data };
}

describe('bitloom create + info', () => {
  it('round trip: create with every option, then info --json reads it back', async () => {
    const { dir, data } = await makeTree();
    const out = join(work, 'album.torrent');
    const created = await runCli([
      'create',
      dir,
      '-o',
      out,
      '--tracker',
      'http://tracker.example/announce',
      '--tracker',
      'udp://tracker.example:6969',
      '--piece-length',
      '40000',
      '--private',
      '--comment',
      'made in a test',
      '--web-seed',
      'https://seed.example/album/',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(ExitCode.OK);
    const infoHash = /Info-hash: ([0-9a-f]{40})/.exec(created.stdout)?.[1];
    expect(infoHash).toBeDefined();
    expect(created.stdout).toContain(`magnet:?xt=urn:btih:${infoHash}&dn=album`);

    const info = await runCli(['info', out, '--json']);
    expect(info.code).toBe(ExitCode.OK);
    const json = JSON.parse(info.stdout) as MetainfoJson;
    expect(json).toMatchObject({
      type: 'torrent',
      name: 'album',
      infoHash,
      totalLength: 112_345,
      pieceLength: 40_000,
      pieceCount: 3,
      multiFile: true,
      private: true,
      hybrid: false,
      trackers: [['http://tracker.example/announce'], ['udp://tracker.example:6969']],
      webSeeds: ['https://seed.example/album/'],
      comment: 'made in a test',
    });
    expect(json.createdBy).toMatch(/^bitloom\//);
    expect(typeof json.creationDate).toBe('number');
    expect(json.magnet).toMatch(new RegExp(`^magnet:\\?xt=urn:btih:${infoHash}`));
    // Sorted by path; indices are what --select takes.
    expect(json.files.map((file) => [file.index, file.path.join('/'), file.length, file.offset])).toEqual([
      [0, 'album/cd1/a.flac', 100_000, 0],
      [1, 'album/cd1/b.empty', 0, 100_000],
      [2, 'album/cover.jpg', 12_345, 100_000],
    ]);

    // The info-hash is the SHA-1 of the info dictionary as written in the file.
    const torrent = await readFile(out);
    const infoStart = torrent.indexOf('4:infod') + 6;
    const infoEnd = torrent.lastIndexOf('8:url-list');
    expect(sha1Hex(torrent.subarray(infoStart, infoEnd))).toBe(infoHash);
    // And the first piece hash is the SHA-1 of the first 40000 bytes of the concatenated files.
    const piecesAt = torrent.indexOf('6:pieces60:') + '6:pieces60:'.length;
    expect(Buffer.from(torrent.subarray(piecesAt, piecesAt + 20)).toString('hex')).toBe(
      sha1Hex(data[0]!.subarray(0, 40_000)),
    );
  });

  it('info prints readable text: size, pieces, files with indices, trackers', async () => {
    const { dir } = await makeTree();
    const out = join(work, 'a.torrent');
    expect((await runCli(['create', dir, '-o', out, '-t', 'http://t.example/a'])).code).toBe(0);
    const { code, stdout, stderr } = await runCli(['info', out]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Name: +album$/m);
    expect(stdout).toMatch(/^Size: +109\.7 KiB \(112345 bytes\)$/m);
    expect(stdout).toMatch(/^Pieces: +7 × 16\.0 KiB \(16384 bytes\)$/m);
    expect(stdout).toMatch(/^Private: +no$/m);
    expect(stdout).toMatch(/^ {2}tier 1: +http:\/\/t\.example\/a$/m);
    expect(stdout).toMatch(/^ {2}\[0\] +97\.7 KiB {2}album\/cd1\/a\.flac$/m);
    expect(stdout).toMatch(/^ {2}\[2\] +12\.1 KiB {2}album\/cover\.jpg$/m);
  });

  it('a single file makes a single-file torrent', async () => {
    const file = join(work, 'movie.bin');
    await writeFile(file, content(5000, 1));
    const out = join(work, 'movie.torrent');
    expect((await runCli(['create', file, '-o', out])).code).toBe(0);
    const json = JSON.parse((await runCli(['info', out, '--json'])).stdout) as MetainfoJson;
    expect(json).toMatchObject({ name: 'movie.bin', multiFile: false, totalLength: 5000, trackers: [] });
    expect(json.files).toHaveLength(1);
  });

  it('escape sequences in file names from a torrent never reach the terminal', async () => {
    const dir = join(work, 'evil');
    await mkdir(dir);
    await writeFile(join(dir, 'red\u001b[31mtext\u202Etxt.exe'), 'x');
    const out = join(work, 'evil.torrent');
    expect((await runCli(['create', dir, '-o', out])).code).toBe(0);
    const { stdout } = await runCli(['info', out]);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).not.toContain('\u202E');
    expect(stdout).toContain('red_[31mtext_txt.exe');
  });

  it('refuses to overwrite the output unless --force', async () => {
    const { dir } = await makeTree();
    const out = join(work, 'exists.torrent');
    await writeFile(out, 'keep me');
    const refused = await runCli(['create', dir, '-o', out]);
    expect(refused.code).toBe(ExitCode.FAILURE);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(out, 'utf8')).toBe('keep me');
    expect((await runCli(['create', dir, '-o', out, '--force'])).code).toBe(0);
    expect((await readFile(out)).subarray(0, 1).toString()).toBe('d');
  });

  it('hashing progress is drawn on a TTY for large inputs only', async () => {
    const big = join(work, 'big.bin');
    await writeFile(big, new Uint8Array(17 * 1024 * 1024));
    const onTty = await runCli(['create', big, '-o', join(work, 'big1.torrent')], { tty: true });
    expect(onTty.code).toBe(0);
    expect(onTty.stderr).toContain('hashing 100%');
    const piped = await runCli(['create', big, '-o', join(work, 'big2.torrent')]);
    expect(piped.stderr).toBe('');
    const small = join(work, 'small.bin');
    await writeFile(small, new Uint8Array(1000));
    expect((await runCli(['create', small, '-o', join(work, 's.torrent')], { tty: true })).stderr).toBe('');
  });

  it('info on a magnet link shows what the link holds', async () => {
    const hash = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
    const magnet = `magnet:?xt=urn:btih:${hash}&dn=Some%20Name&tr=udp%3A%2F%2Ft.example%3A80&x.pe=10.0.0.1:6881&so=0,2-3`;
    const text = await runCli(['info', magnet]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Name: +Some Name$/m);
    expect(text.stdout).toContain(hash);
    expect(text.stdout).toContain('udp://t.example:80');
    expect(text.stdout).toMatch(/^Select only: +0,2-3$/m);
    const json = JSON.parse((await runCli(['info', magnet, '--json'])).stdout);
    expect(json).toEqual({
      type: 'magnet',
      infoHash: hash,
      name: 'Some Name',
      trackers: ['udp://t.example:80'],
      webSeeds: [],
      peers: [{ host: '10.0.0.1', port: 6881 }],
      selectOnly: [
        { start: 0, end: 0 },
        { start: 2, end: 3 },
      ],
    });
  });
});

describe('errors: one line on stderr and an exit code', () => {
  const oneLine = (stderr: string) => {
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.startsWith('bitloom: ')).toBe(true);
  };

  it('a bad torrent file: exit 1, one line naming the file, no stack', async () => {
    const bad = join(work, 'bad.torrent');
    await writeFile(bad, 'd4:infoi1ee');
    const { code, stdout, stderr } = await runCli(['info', bad]);
    expect(code).toBe(ExitCode.FAILURE);
    expect(stdout).toBe('');
    oneLine(stderr);
    expect(stderr).toContain(bad);
    expect(stderr).toContain('no `info` dictionary');
    expect(stderr).not.toContain('    at ');
  });

  it('not bencode at all: exit 1, one line with the byte offset', async () => {
    const bad = join(work, 'notes.txt');
    await writeFile(bad, 'hello\nworld\n');
    const { code, stderr } = await runCli(['info', bad]);
    expect(code).toBe(ExitCode.FAILURE);
    oneLine(stderr);
    expect(stderr).toMatch(/at byte 0/);
  });

  it('a missing file: exit 1, one line', async () => {
    const { code, stderr } = await runCli(['info', join(work, 'nope.torrent')]);
    expect(code).toBe(ExitCode.FAILURE);
    oneLine(stderr);
    expect(stderr).toContain('no such file or directory');
    const create = await runCli(['create', join(work, 'nothing'), '-o', join(work, 'x.torrent')]);
    expect(create.code).toBe(ExitCode.FAILURE);
    oneLine(create.stderr);
  });

  it('an invalid magnet link: exit 1, one line', async () => {
    const { code, stderr } = await runCli(['info', 'magnet:?xt=urn:btih:xyz']);
    expect(code).toBe(ExitCode.FAILURE);
    oneLine(stderr);
    expect(stderr).toContain('invalid magnet link');
  });

  it('an unknown flag: exit 2, one line', async () => {
    const { code, stderr } = await runCli(['info', '--bogus', 'x.torrent']);
    expect(code).toBe(ExitCode.USAGE);
    oneLine(stderr);
    expect(stderr).toContain("unknown option '--bogus'");
  });

  it('an unknown command: exit 2, one line with a suggestion', async () => {
    const { code, stderr } = await runCli(['crate']);
    expect(code).toBe(ExitCode.USAGE);
    oneLine(stderr);
    expect(stderr).toContain('Did you mean create?');
  });

  it('missing arguments and options, bad values: exit 2', async () => {
    const noOutput = await runCli(['create', work]);
    expect(noOutput.code).toBe(ExitCode.USAGE);
    oneLine(noOutput.stderr);
    expect((await runCli(['info'])).code).toBe(ExitCode.USAGE);
    const badPieceLength = await runCli([
      'create',
      work,
      '-o',
      join(work, 'x.torrent'),
      '--piece-length',
      'big',
    ]);
    expect(badPieceLength.code).toBe(ExitCode.USAGE);
    oneLine(badPieceLength.stderr);
    const badTracker = await runCli(['create', work, '-o', join(work, 'x.torrent'), '-t', 'wss://t.example']);
    expect(badTracker.code).toBe(ExitCode.USAGE);
    oneLine(badTracker.stderr);
  });

  it('no arguments: help on stderr, exit 2; --help and --version: exit 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toContain('Usage: bitloom');
    const help = await runCli(['--help']);
    expect(help.code).toBe(ExitCode.OK);
    expect(help.stdout).toContain('create');
    expect(help.stdout).toContain('info');
    const version = await runCli(['--version']);
    expect(version.code).toBe(ExitCode.OK);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--verbose adds the stack and the cause chain', async () => {
    const bad = join(work, 'bad.torrent');
    await writeFile(bad, 'x');
    const { code, stderr } = await runCli(['--verbose', 'info', bad]);
    expect(code).toBe(ExitCode.FAILURE);
    expect(stderr.split('\n').length).toBeGreaterThan(3);
    expect(stderr).toContain('[METAINFO_MALFORMED]');
    expect(stderr).toContain('caused by: BencodeError');
  });
});
