/**
 * `download --serve`: starts the HTTP file server on 127.0.0.1 for the torrent being downloaded and prints where
 * each file is (text on stdout, or one `serve` event with `--json`). Names are untrusted: printed neutralised.
 */
import type { Torrent } from '@bitloom/engine';
import { serveTorrentFiles } from '@bitloom/node';
import type { OutputStream } from './cli-context.js';
import { safeText } from './format.js';

/** Serves the torrent's files and prints their URLs; resolves to the function that stops the server. */
export async function serveAndPrint(
  torrent: Torrent,
  port: number,
  out: OutputStream,
  json: boolean,
): Promise<() => Promise<void>> {
  const server = await serveTorrentFiles(torrent, { host: '127.0.0.1', port });
  if (json) {
    const files = server.files.map(({ index, path, length, url }) => ({ index, path, length, url }));
    out.write(`${JSON.stringify({ event: 'serve', url: server.url, files })}\n`);
  } else {
    const lines = [`serving ${safeText(torrent.info.name)} on ${server.url} (Ctrl-C to stop)`];
    for (const file of server.files) lines.push(`  ${file.url}  ${safeText(file.path)}`);
    out.write(`${lines.join('\n')}\n`);
  }
  return () => server.close();
}
