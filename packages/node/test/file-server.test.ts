/**
 * The HTTP file server over a real seeding session on loopback: the index page, whole files, single byte ranges
 * (206/416), HEAD, If-Range, methods, unknown paths and non-loopback Host headers.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BencodeValue,
  createTorrent,
  encode,
  parseTorrent,
  type Session,
  type Torrent,
  utf8Encode,
} from '@bitloom/engine';
import { SeededRandom } from '@bitloom/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createFileRangeReader,
  createSession,
  type FileServer,
  scanPath,
  serveTorrentFiles,
  sha1Inline,
} from '../src/index.js';

const hasher = { sha1: async (data: Uint8Array) => sha1Inline(data) };
const MOVIE = 300_000;
let work: string;
let session: Session;
let torrent: Torrent;
let server: FileServer;
let movie: Buffer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bitloom-serve-'));
  const source = join(work, 'show');
  await mkdir(source, { recursive: true });
  movie = Buffer.from(new SeededRandom(9).bytes(MOVIE));
  await writeFile(join(source, 'movie.mp4'), movie);
  await writeFile(join(source, "a&b 'c'.txt"), 'hello\n');
  await writeFile(join(source, 'empty.bin'), '');
  const scanned = await scanPath(source);
  const reader = createFileRangeReader();
  const bytes = await createTorrent(
    { name: 'show', files: scanned.files, pieceLength: 16 * 1024 },
    (index, position, length) => reader.read(scanned.files[index]!.absolutePath, position, length),
    hasher,
  );
  await reader.close();
  const metainfo = await parseTorrent(bytes, hasher);
  session = await createSession({ listen: { host: '127.0.0.1', port: 0 }, hashWorkers: 0 });
  torrent = session.addTorrent(metainfo, { savePath: work });
  await torrent.next('done');
  server = await serveTorrentFiles(torrent);
});

afterAll(async () => {
  await server?.close();
  await session?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const movieUrl = () => new URL(server.files.find((f) => f.path.endsWith('movie.mp4'))!.url).pathname;

describe('serveTorrentFiles', () => {
  it('lists every file with a URL, and an index page with the names escaped', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.files.map((f) => f.path).sort()).toEqual([
      "show/a&b 'c'.txt",
      'show/empty.bin',
      'show/movie.mp4',
    ]);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = index.body.toString();
    expect(html).toContain('show/a&#38;b &#39;c&#39;.txt');
    for (const file of server.files) {
      const href = new URL(file.url).pathname.replace(/[&']/g, (c) => `&#${c.charCodeAt(0)};`);
      expect(html).toContain(`href="${href}"`);
    }
  });

  it('a hostile file name is escaped on the index page; a client leaving drops its read-ahead', async () => {
    // Hand-made: createTorrent refuses such a name, a hostile torrent does not ask.
    const text = (value: string) => utf8Encode(value);
    const file = new Map<string, BencodeValue>([
      ['length', 1000],
      ['path', [text('<script>alert(1)</script>.mp4')]],
    ]);
    const info = new Map<string, BencodeValue>([
      ['files', [file]],
      ['name', text('evil')],
      ['piece length', 16384],
      ['pieces', new Uint8Array(20)],
    ]);
    const bytes = encode(new Map([['info', info]]));
    const evil = session.addTorrent(await parseTorrent(bytes, hasher), { savePath: join(work, 'evil') });
    const evilServer = await serveTorrentFiles(evil);
    try {
      const html = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: evilServer.port, path: '/' }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;.mp4');
      expect(html).not.toContain('<script>');
      // The URL carries the sanitised name, the page shows the name as written.
      expect(evilServer.files[0]!.url).toMatch(/\/0\/_script_alert\(1\)__script_\.mp4$/);

      // Its data is nowhere: a request waits, its piece time-critical, until the client goes away.
      await vi.waitFor(() => expect(evil.state).toBe('downloading'));
      const waiting = request({ host: '127.0.0.1', port: evilServer.port, path: '/0/x.mp4' });
      waiting.on('error', () => {});
      waiting.end();
      await vi.waitFor(() => expect(evil.picker.criticalPieces()).toEqual([0]));
      waiting.destroy();
      await vi.waitFor(() => expect(evil.picker.criticalPieces()).toEqual([]));
    } finally {
      await evilServer.close();
    }
  });

  it('serves a whole file with its type, length, ETag, and sandboxed', async () => {
    const reply = await get(movieUrl());
    expect(reply.status).toBe(200);
    expect(reply.body.equals(movie)).toBe(true);
    expect(reply.headers['content-type']).toBe('video/mp4');
    expect(reply.headers['content-length']).toBe(String(MOVIE));
    expect(reply.headers['accept-ranges']).toBe('bytes');
    expect(reply.headers['content-security-policy']).toBe('sandbox');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]{40}-\d+"$/);
  });

  it('serves single ranges with 206 and Content-Range: middle, open-ended, suffix, clamped', async () => {
    const cases: [string, number, number][] = [
      ['bytes=100000-199999', 100_000, 199_999],
      ['bytes=250000-', 250_000, MOVIE - 1],
      ['bytes=-1000', MOVIE - 1000, MOVIE - 1],
      ['bytes=299990-999999', 299_990, MOVIE - 1],
    ];
    for (const [range, start, end] of cases) {
      const reply = await get(movieUrl(), { Range: range });
      expect(reply.status, range).toBe(206);
      expect(reply.headers['content-range'], range).toBe(`bytes ${start}-${end}/${MOVIE}`);
      expect(reply.headers['content-length'], range).toBe(String(end - start + 1));
      expect(reply.body.equals(movie.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers 416 with the length for a range past the end; ignores several ranges (200)', async () => {
    const past = await get(movieUrl(), { Range: `bytes=${MOVIE}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${MOVIE}`);
    const several = await get(movieUrl(), { Range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.body.length).toBe(MOVIE);
  });

  it('If-Range: honoured with our ETag, the whole file otherwise', async () => {
    const etag = (await get(movieUrl(), {}, 'HEAD')).headers.etag as string;
    expect((await get(movieUrl(), { Range: 'bytes=0-9', 'If-Range': etag })).status).toBe(206);
    const stale = await get(movieUrl(), { Range: 'bytes=0-9', 'If-Range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(MOVIE);
  });

  it('HEAD gives the headers without a body; an empty file is an empty 200', async () => {
    const head = await get(movieUrl(), { Range: 'bytes=10-19' }, 'HEAD');
    expect(head.status).toBe(206);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body.length).toBe(0);
    const empty = server.files.find((f) => f.path.endsWith('empty.bin'))!;
    const reply = await get(new URL(empty.url).pathname);
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(0);
  });

  it('refuses other methods (405), unknown paths (404), and Host names that are not loopback (403)', async () => {
    const post = await get(movieUrl(), {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    for (const path of ['/99', '/abc', '/0/x/y', '/99999999999999'])
      expect((await get(path)).status, path).toBe(404);
    expect((await get(movieUrl(), { Host: 'attacker.example' })).status).toBe(403);
    expect((await get(movieUrl(), { Host: `localhost:${server.port}` })).status).toBe(200);
  });
});
