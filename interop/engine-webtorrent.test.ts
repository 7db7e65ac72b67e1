/**
 * The bitloom engine against WebTorrent 3 over TCP on loopback (BEP 3, plus BEP 10 as both sides offer it), in
 * both directions: bitloom downloads from a WebTorrent seeder, and WebTorrent downloads from a bitloom seeder.
 * Payloads: one file at 256 KiB pieces with a short last piece, and a folder of odd-sized files with a
 * zero-length file and a 1-byte last piece — each compared byte for byte with its source.
 *
 * Both sides run WebTorrent's defaults: its leecher (`secure: 1`) opens every outgoing connection with the MSE/PE
 * handshake providing RC4 and plaintext, which bitloom's listener answers selecting plaintext, as libtorrent does
 * (interop/engine-encryption.test.ts checks RC4 on the wire when only RC4 is provided); its seeder accepts
 * bitloom's plaintext connections.
 */
import { describeEngineInterop } from './harness/engine-interop.js';
import { runWebTorrentLeecher, startWebTorrentSeeder } from './harness/webtorrent.js';

describeEngineInterop({
  client: 'WebTorrent',
  tempPrefix: 'bitloom-engine-webtorrent-',
  pieceLengths: [256 * 1024],
  startSeeder: startWebTorrentSeeder,
  runLeecher: runWebTorrentLeecher,
});
