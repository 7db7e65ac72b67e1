#!/usr/bin/env node
// WebTorrent 3 as an interop peer for bitloom's tests, over TCP only: no DHT, tracker, LSD, uTP, UPnP,
// NAT-PMP or WebRTC, listening on 127.0.0.1. JSON lines on stdout, like interop/harness/libtorrent_peer.py.
//
//   node peer.mjs seed  TORRENT DATA_DIR [--port P] [--connect HOST:PORT]...
//       checks the data, prints {"event":"ready","port"}, then a status line a second; exits on stdin EOF
//       or SIGTERM
//   node peer.mjs leech TORRENT DATA_DIR [--port P] [--connect HOST:PORT]... [--timeout S]
//       prints {"event":"ready","port"}, progress lines, and {"event":"complete"} then exits 0 once every
//       piece is verified; exits 3 on timeout
//   both take [--secure 0|1|2]: WebTorrent's protocol encryption (MSE/PE) level, default 1 like WebTorrent's
//       own (0 = plaintext only; 1 = outgoing connections start with the PE handshake; 2 = RC4 only)
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import net from 'node:net';

register('./no-webrtc-hooks.mjs', import.meta.url);

// WebTorrent listens on every interface; keep it on loopback.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};

const { default: WebTorrent } = await import('webtorrent');

function emit(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

function fail(message, code = 2) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const [mode, torrentFile, dataDir, ...rest] = argv;
  if ((mode !== 'seed' && mode !== 'leech') || !torrentFile || !dataDir) {
    fail(
      'usage: peer.mjs seed|leech TORRENT DATA_DIR [--port P] [--connect HOST:PORT]... [--timeout S] [--secure 0|1|2]',
    );
  }
  const options = { mode, torrentFile, dataDir, port: 0, connect: [], timeoutSeconds: 120, secure: 1 };
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (value === undefined) fail(`missing value for ${rest[i]}`);
    if (rest[i] === '--port') options.port = Number(value);
    else if (rest[i] === '--connect') options.connect.push(value);
    else if (rest[i] === '--timeout') options.timeoutSeconds = Number(value);
    else if (rest[i] === '--secure') options.secure = Number(value);
    else fail(`unknown option ${rest[i]}`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const client = new WebTorrent({
  dht: false,
  tracker: false,
  lsd: false,
  utPex: false,
  utp: false,
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  torrentPort: options.port,
  secure: options.secure,
});
client.on('error', (error) => fail(`webtorrent: ${error.message ?? error}`));

function status(torrent, event) {
  return {
    event,
    progress: torrent.progress,
    downloaded: torrent.downloaded,
    uploaded: torrent.uploaded,
    peers: torrent.numPeers,
    done: torrent.done,
  };
}

function shutdown(code) {
  client.destroy(() => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
}

process.on('SIGTERM', () => shutdown(0));
if (options.mode === 'seed') {
  process.stdin.on('end', () => shutdown(0));
  process.stdin.resume();
}

const torrent = client.add(readFileSync(options.torrentFile), { path: options.dataDir });
torrent.on('error', (error) => fail(`torrent: ${error.message ?? error}`));
torrent.on('warning', (warning) => process.stderr.write(`warning: ${warning.message ?? warning}\n`));

torrent.on('ready', () => {
  const port = client.address()?.port ?? client.torrentPort;
  emit({ event: 'ready', port, infoHash: torrent.infoHash });
  for (const peer of options.connect) torrent.addPeer(peer);
  if (options.mode === 'seed') {
    setInterval(() => emit(status(torrent, 'status')), 1000);
    return;
  }
  const deadline = setTimeout(
    () => fail(`leech timed out at progress ${torrent.progress}`, 3),
    options.timeoutSeconds * 1000,
  );
  const progress = setInterval(() => emit(status(torrent, 'progress')), 1000);
  const finish = () => {
    clearTimeout(deadline);
    clearInterval(progress);
    emit(status(torrent, 'complete'));
    shutdown(0);
  };
  // `done` is set once every piece has been verified against its hash.
  if (torrent.done) finish();
  else torrent.once('done', finish);
});
