/**
 * The connection flood, one process: `ratePerSecond` TCP connections a second to the seeder for `seconds`.
 * Every other one trickles a valid BitTorrent handshake a byte every `trickleIntervalMs` (slowloris); the rest
 * send the whole handshake at once and then say nothing. Each connection is classified by how it ended:
 * accepted (the seeder's handshake came back), refused (closed with nothing received within a second: the
 * session was full, or evicted this one as its oldest pending handshake), timed out (closed with nothing received
 * later: the handshake timeout, or a late eviction), failed to connect, or still open when the flood ends.
 *
 * Child → parent: { type: 'flooded' } after the last attempt, { type: 'report', … } once the tricklers are gone
 * (or the grace ran out).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

const options = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);
const BATCH_INTERVAL_MS = 10;
const REFUSED_WITHIN_MS = 1000;
const HANDSHAKE_LENGTH = 68;

function handshake() {
  const bytes = Buffer.alloc(HANDSHAKE_LENGTH);
  bytes[0] = 19;
  bytes.write('BitTorrent protocol', 1, 'latin1');
  Buffer.from(options.infoHashHex, 'hex').copy(bytes, 28);
  bytes.write(`-FL0001-${randomBytes(6).toString('hex')}`, 48, 'latin1');
  return bytes;
}

const stats = {
  attempts: 0,
  trickle: { accepted: 0, refused: 0, timedOut: 0, connectFailed: 0, open: 0, longestLifeMs: 0 },
  complete: { accepted: 0, refused: 0, timedOut: 0, connectFailed: 0, open: 0, longestLifeMs: 0 },
};
/** Open sockets → whether they trickle. */
const live = new Map();

function attempt(trickle) {
  stats.attempts++;
  const kind = trickle ? stats.trickle : stats.complete;
  const bytes = handshake();
  const openedAt = performance.now();
  let connected = false;
  let received = 0;
  let sent = 0;
  let timer;
  const socket = connect({ host: options.host, port: options.port });
  live.set(socket, trickle);
  socket.setNoDelay(true);
  socket.on('connect', () => {
    connected = true;
    if (!trickle) {
      socket.write(bytes);
      return;
    }
    timer = setInterval(() => {
      if (sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
    }, options.trickleIntervalMs);
  });
  socket.on('data', (chunk) => {
    if (received === 0 && chunk.length > 0) kind.accepted++;
    received += chunk.length;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(timer);
    live.delete(socket);
    const life = performance.now() - openedAt;
    if (!connected) kind.connectFailed++;
    else if (received === 0 && life < REFUSED_WITHIN_MS) kind.refused++;
    else if (received === 0) {
      kind.timedOut++;
      kind.longestLifeMs = Math.max(kind.longestLifeMs, Math.round(life));
    }
  });
}

const perBatch = (options.ratePerSecond * BATCH_INTERVAL_MS) / 1000;
const total = options.ratePerSecond * options.seconds;
let owed = 0;
const flood = setInterval(() => {
  owed += perBatch;
  while (owed >= 1 && stats.attempts < total) {
    owed--;
    attempt(stats.attempts % 2 === 0);
  }
  if (stats.attempts >= total) {
    clearInterval(flood);
    send({ type: 'flooded' });
    finish();
  }
}, BATCH_INTERVAL_MS);

async function finish() {
  // Let the tricklers run into the seeder's handshake timeout, then close whatever is left.
  const graceUntil = performance.now() + options.graceMs;
  while (performance.now() < graceUntil && [...live.values()].some((trickle) => trickle)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const trickle of live.values()) (trickle ? stats.trickle : stats.complete).open++;
  send({ type: 'report', ...stats });
  for (const socket of live.keys()) socket.destroy();
  setTimeout(() => process.exit(0), 200);
}
