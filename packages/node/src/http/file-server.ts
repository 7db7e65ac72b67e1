/**
 * Serves a torrent's files over HTTP on loopback while they download, so a media player can open a file and seek
 * in it: `GET /` lists the files, `GET /<index>/<name>` serves one (the name is only for the player's sake), with
 * single byte ranges (206, 416, Content-Range, Accept-Ranges), HEAD, an ETag (a torrent's bytes never change),
 * and a Content-Type from the extension. Bytes come from `file.createReadStream`, so a range read waits for its
 * pieces, which become time-critical. Only loopback Host headers are answered (DNS rebinding), and every file is
 * sent sandboxed (`Content-Security-Policy: sandbox`, `nosniff`): the torrent's content is untrusted.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TorrentFileHandle } from '@bitloom/engine';
import { decideRange } from './byte-range.js';
import { contentTypeFor } from './content-type.js';

/** What the server needs from a torrent. */
export interface ServedTorrent {
  readonly infoHashHex: string;
  readonly info: { readonly name: string };
  files(): readonly TorrentFileHandle[];
}

export interface FileServerOptions {
  /** Address to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
}

export interface ServedFile {
  readonly index: number;
  /** Display path (control characters neutralised; still untrusted text). */
  readonly path: string;
  readonly length: number;
  readonly url: string;
}

export interface FileServer {
  /** The index page, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  readonly port: number;
  /** Every file but padding files, with its URL. */
  readonly files: readonly ServedFile[];
  /** Stops listening and ends the responses in progress (their streams are closed). */
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_CONNECTIONS = 64;

export async function serveTorrentFiles(
  torrent: ServedTorrent,
  options: FileServerOptions = {},
): Promise<FileServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    handle(torrent, request, response).catch(() => {
      if (!response.headersSent) respond(response, 500, 'internal error');
      else response.destroy();
    });
  });
  // A player opens a few connections; a runaway client must not open a read stream per socket without end.
  server.maxConnections = MAX_CONNECTIONS;
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const files = torrent
    .files()
    .filter((file) => !file.padding)
    .map((file) => ({ index: file.index, path: file.path, length: file.length, url: base + filePath(file) }));
  return { url: `${base}/`, port, files, close: () => closeServer(server) };
}

/** `/<index>/<sanitised name, percent-encoded>`. */
function filePath(file: TorrentFileHandle): string {
  return `/${file.index}/${encodeURIComponent(file.name)}`;
}

async function handle(
  torrent: ServedTorrent,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!isLoopbackHost(request.headers.host))
    return respond(response, 403, 'only loopback host names are served');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return respond(response, 405, 'only GET and HEAD');
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/') return sendIndex(torrent, request, response);
  const match = /^\/(\d{1,9})(?:\/[^/]*)?$/.exec(path);
  const file = match ? torrent.files()[Number(match[1])] : undefined;
  if (!file || file.padding) return respond(response, 404, 'no such file');
  if (file.priority === 0 && file.progress < 1)
    return respond(response, 404, 'this file is not being downloaded');
  await sendFile(torrent, file, request, response);
}

async function sendFile(
  torrent: ServedTorrent,
  file: TorrentFileHandle,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const etag = `"${torrent.infoHashHex}-${file.index}"`;
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === etag ? decideRange(request.headers.range, file.length) : undefined;
  const name = file.name;
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('ETag', etag);
  response.setHeader('Content-Type', contentTypeFor(name));
  response.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', 'sandbox');
  if (range?.kind === 'unsatisfiable') {
    response.setHeader('Content-Range', `bytes */${file.length}`);
    return respond(response, 416, 'range not satisfiable');
  }
  let start = 0;
  let end = file.length - 1;
  if (range?.kind === 'partial') {
    ({ start, end } = range);
    response.statusCode = 206;
    response.setHeader('Content-Range', `bytes ${start}-${end}/${file.length}`);
  }
  response.setHeader('Content-Length', end - start + 1);
  if (request.method === 'HEAD' || end < start) {
    response.end();
    return;
  }
  // The client going away aborts the read, which drops its read-ahead window.
  const abort = new AbortController();
  response.once('close', () => abort.abort());
  const stream = file.createReadStream({ start, end, signal: abort.signal });
  try {
    await pipeline(Readable.from(stream, { objectMode: false, highWaterMark: 1024 * 1024 }), response);
  } catch {
    // Client gone, torrent stopped, or storage failed mid-body: the truncated response is the only signal left.
    response.destroy();
  }
}

function sendIndex(torrent: ServedTorrent, request: IncomingMessage, response: ServerResponse): void {
  const rows = torrent
    .files()
    .filter((file) => !file.padding)
    .map((file) => {
      const percent = (file.progress * 100).toFixed(1);
      return `<li><a href="${escapeHtml(filePath(file))}">${escapeHtml(file.path)}</a> (${file.length} bytes, ${percent}%)</li>`;
    });
  const title = escapeHtml(torrent.info.name);
  const body = `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${rows.join('\n')}\n</ul>\n`;
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.setHeader('Content-Security-Policy', "default-src 'none'");
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(request.method === 'HEAD' ? undefined : body);
}

function respond(response: ServerResponse, status: number, message: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(message) + 1);
  response.end(`${message}\n`);
}

function isLoopbackHost(header: string | undefined): boolean {
  if (header === undefined) return false;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
