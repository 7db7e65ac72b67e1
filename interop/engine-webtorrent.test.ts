/**
 * The bitloom engine against WebTorrent 3 over TCP on loopback (BEP 3, plus BEP 10 as both sides offer it), in
 * both directions: bitloom downloads from a WebTorrent seeder, and WebTorrent downloads from a bitloom seeder.
 * Payloads: one file at 256 KiB pieces with a short last piece, and a folder of odd-sized files with a
 * zero-length file and a 1-byte last piece — each compared byte for byte with its source.
 *
 * WebTorrent's default (`secure: 1`) opens every outgoing connection with the MSE/PE handshake and does not
 * fall back to plaintext on the same address; bitloom does not speak MSE, so the WebTorrent leecher runs with
 * encryption off. The WebTorrent seeder keeps its defaults (it accepts plaintext).
 */
import { describeEngineInterop } from './harness/engine-interop.js';
import { runWebTorrentLeecher, startWebTorrentSeeder } from './harness/webtorrent.js';

describeEngineInterop({
  client: 'WebTorrent',
  leecherTitle: 'WebTorrent (protocol encryption off) downloads from a bitloom seeder',
  tempPrefix: 'bitloom-engine-webtorrent-',
  pieceLengths: [256 * 1024],
  startSeeder: startWebTorrentSeeder,
  runLeecher: (options) => runWebTorrentLeecher({ ...options, secure: 0 }),
});
