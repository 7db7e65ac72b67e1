#!/usr/bin/env node
// How fast scenario 1's libtorrent seeder can send at all: a leecher that does nothing with the bytes (no copy,
// no hash, no disk; it only parses message lengths and keeps requests outstanding) downloads the whole payload
// over loopback, once per queue depth asked for. Its rate is the ceiling any real leecher of that seeder can
// reach on this machine; compare it with scenario 1's MB/s.
//
//   node bench/seeder-ceiling.mjs [--size 1024] [--piece-length 1M] [--depths 250,500,1000] [--runs 2]
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFilePayload } from './lib/payload.mjs';
import { killAllTracked } from './lib/processes.mjs';
import { startSeeder } from './lib/seeders.mjs';

const PYTHON = '/usr/bin/python3';
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./libtorrent-bench.py', import.meta.url));
const BLOCK = 16 * 1024;
const MIB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    'piece-length': { type: 'string', default: '1M' },
    depths: { type: 'string', default: '250,500,1000' },
    runs: { type: 'string', default: '2' },
    'work-dir': { type: 'string', default: '/tmp/bitloom-bench' },
  },
});
const pieceLength =
  Number.parseInt(values['piece-length'], 10) * (/m$/i.test(values['piece-length']) ? MIB : 1024);
const depths = values.depths.split(',').map(Number);
const log = (message) => process.stdout.write(`${message}\n`);

/** Downloads every block from 127.0.0.1:port, `depth` requests outstanding; resolves with seconds taken. */
function drain(port, hash, totalBytes, depth) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const blocks = [];
    for (let offset = 0; offset < totalBytes; offset += BLOCK) blocks.push(offset);
    let next = 0;
    let received = 0;
    let handshaken = false;
    let pending = Buffer.alloc(0);
    const request = (offset) => {
      const message = Buffer.alloc(17);
      message.writeUInt32BE(13, 0);
      message[4] = 6;
      message.writeUInt32BE(Math.floor(offset / pieceLength), 5);
      message.writeUInt32BE(offset % pieceLength, 9);
      message.writeUInt32BE(Math.min(BLOCK, totalBytes - offset), 13);
      return message;
    };
    const top = () => {
      const batch = [];
      while (next < blocks.length && next - received < depth) batch.push(request(blocks[next++]));
      if (batch.length > 0) socket.write(Buffer.concat(batch));
    };
    socket.on('connect', () => {
      const handshake = Buffer.concat([
        Buffer.from([19]),
        Buffer.from('BitTorrent protocol'),
        Buffer.alloc(8),
        hash,
        Buffer.concat([Buffer.from('-BC0001-'), randomBytes(12)]),
      ]);
      socket.write(Buffer.concat([handshake, Buffer.from([0, 0, 0, 1, 2])])); // interested
    });
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      if (!handshaken) {
        if (pending.length < 68) return;
        handshaken = true;
        at = 68;
      }
      while (pending.length - at >= 4) {
        const length = pending.readUInt32BE(at);
        if (pending.length - at < 4 + Math.min(length, 5)) break;
        const id = length > 0 ? pending[at + 4] : -1;
        if (id === 7) {
          // A piece: count it once its header is here; its payload is skipped as it comes.
          if (pending.length - at < 4 + length) break;
          received++;
          if (received === blocks.length) {
            socket.destroy();
            resolve(Number(process.hrtime.bigint() - started) / 1e9);
            return;
          }
        } else if (pending.length - at < 4 + length) break;
        if (id === 1) top(); // unchoke
        at += 4 + length;
      }
      pending = pending.subarray(at);
      if (handshaken && received > 0) top();
    });
    socket.on('error', reject);
    socket.on('close', () =>
      reject(new Error(`connection closed after ${received} of ${blocks.length} blocks`)),
    );
  });
}

process.once('exit', killAllTracked);
const payload = await ensureFilePayload({
  workDir: values['work-dir'],
  sizeMiB: Number(values.size),
  pieceLength,
  seed: 1,
  python: PYTHON,
  torrentScript: LIBTORRENT_SCRIPT,
  log,
});
const hash = Buffer.from(payload.infoHash, 'hex');
const seeder = await startSeeder('libtorrent', {
  python: PYTHON,
  torrentFiles: [payload.torrentFile],
  dataDir: payload.dir,
  scratchDir: values['work-dir'],
});
try {
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const depth of depths) {
      const seconds = await drain(seeder.port, hash, payload.totalBytes, depth);
      log(
        `run ${run} depth ${depth}: ${(payload.totalBytes / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`,
      );
    }
  }
} finally {
  await seeder.stop();
}
