import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeHttpClient } from '../src/http-client.js';

let server: Server;
let base: string;
let handler: (path: string, response: ServerResponse) => void;

beforeEach(async () => {
  server = createServer((request, response) => handler(request.url ?? '/', response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = new NodeHttpClient();
const get = (path: string, maxBytes = 1024, maxRedirects?: number, signal = new AbortController().signal) =>
  client.get(`${base}${path}`, { signal, maxBytes, ...(maxRedirects !== undefined ? { maxRedirects } : {}) });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code: string }) => error.code,
  );

async function openConnections(): Promise<number> {
  return new Promise((resolve) => server.getConnections((_error, count) => resolve(count)));
}

describe('NodeHttpClient', () => {
  it('gets a body, status and lower-case headers; leaves no socket open', async () => {
    handler = (_path, response) => response.writeHead(200, { 'X-Test': 'yes' }).end('d8:intervali60ee');
    const response = await get('/announce');
    expect(response.status).toBe(200);
    expect(new TextDecoder().decode(response.body)).toBe('d8:intervali60ee');
    expect(response.headers['x-test']).toBe('yes');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await openConnections()).toBe(0);
  });

  it('decompresses gzip', async () => {
    handler = (_path, response) =>
      response.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('hello'));
    expect(new TextDecoder().decode((await get('/')).body)).toBe('hello');
  });

  it('gzip bomb: a small body that inflates past maxBytes is HTTP_TOO_LARGE', async () => {
    const bomb = gzipSync(new Uint8Array(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    handler = (_path, response) => response.writeHead(200, { 'Content-Encoding': 'gzip' }).end(bomb);
    expect(await codeOf(get('/', 64 * 1024))).toBe('HTTP_TOO_LARGE');
  });

  it('oversized bodies are refused, declared or chunked', async () => {
    handler = (path, response) => {
      if (path === '/declared') response.writeHead(200, { 'Content-Length': 5000 }).end('x'.repeat(5000));
      else {
        response.writeHead(200);
        response.write('x'.repeat(3000));
        response.end('y'.repeat(3000));
      }
    };
    expect(await codeOf(get('/declared'))).toBe('HTTP_TOO_LARGE');
    expect(await codeOf(get('/chunked'))).toBe('HTTP_TOO_LARGE');
  });

  it('follows redirects, but not to ftp: and not forever', async () => {
    handler = (path, response) => {
      if (path === '/to-ftp') response.writeHead(302, { Location: 'ftp://127.0.0.1/x' }).end();
      else if (path === '/loop') response.writeHead(302, { Location: '/loop' }).end();
      else if (path === '/hop') response.writeHead(301, { Location: '/final' }).end();
      else response.writeHead(200).end('final');
    };
    expect(new TextDecoder().decode((await get('/hop')).body)).toBe('final');
    expect(await codeOf(get('/to-ftp'))).toBe('HTTP_BAD_REDIRECT');
    expect(await codeOf(get('/loop', 1024, 3))).toBe('HTTP_TOO_MANY_REDIRECTS');
  });

  it('abort ends a request the server never answers, and closes its socket', async () => {
    handler = () => {};
    const controller = new AbortController();
    const pending = codeOf(get('/', 1024, undefined, controller.signal));
    while ((await openConnections()) === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toBe('HTTP_ABORTED');
    for (let i = 0; i < 50 && (await openConnections()) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await openConnections()).toBe(0);
  });

  it('a refused connection is HTTP_CONNECT_FAILED; other schemes HTTP_UNSUPPORTED_SCHEME', async () => {
    const signal = new AbortController().signal;
    expect(await codeOf(client.get('http://127.0.0.1:1/', { signal, maxBytes: 10 }))).toBe(
      'HTTP_CONNECT_FAILED',
    );
    expect(await codeOf(client.get('ftp://127.0.0.1/', { signal, maxBytes: 10 }))).toBe(
      'HTTP_UNSUPPORTED_SCHEME',
    );
    expect(await codeOf(client.get('::nonsense', { signal, maxBytes: 10 }))).toBe('HTTP_BAD_URL');
  });
});
