/**
 * npm `bittorrent-dht` (WebTorrent's DHT, BEP 5) as a DHT node on loopback for bitloom's interop tests. It
 * listens on 127.0.0.1, bootstraps only from the nodes given on the command line (never the public routers),
 * reads JSON commands from stdin, one a line — {"cmd":"announce","info_hash":HEX,"port":N},
 * {"cmd":"lookup","info_hash":HEX}, {"cmd":"add_node","host":"127.0.0.1","port":N} — and prints JSON lines:
 * {"event":"ready","port":P}, {"event":"peer","info_hash":HEX,"host":H,"port":N},
 * {"event":"announced","info_hash":HEX,"error":…}, {"event":"lookup_done",…}, {"event":"status","nodes":N}.
 * Usage: node dht-webtorrent.mjs PORT [host:port …]. Runs until stdin closes.
 */
import { createInterface } from 'node:readline';
import DHT from '../webtorrent/node_modules/bittorrent-dht/index.js';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const [portArg, ...bootstrap] = process.argv.slice(2);
const dht = new DHT({ bootstrap });

dht.on('peer', (peer, infoHash) => {
  emit({ event: 'peer', info_hash: infoHash.toString('hex'), host: peer.host, port: peer.port });
});
dht.on('error', (error) => emit({ event: 'error', message: String(error) }));
dht.on('warning', (error) => emit({ event: 'warning', message: String(error) }));

dht.listen(Number(portArg), '127.0.0.1', () => emit({ event: 'ready', port: dht.address().port }));

const status = setInterval(() => emit({ event: 'status', nodes: dht.toJSON().nodes.length }), 1000);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  const command = JSON.parse(line);
  if (command.cmd === 'announce') {
    dht.announce(command.info_hash, command.port, (error) => {
      emit({ event: 'announced', info_hash: command.info_hash, error: error ? String(error) : null });
    });
  } else if (command.cmd === 'lookup') {
    dht.lookup(command.info_hash, (error, count) => {
      emit({
        event: 'lookup_done',
        info_hash: command.info_hash,
        error: error ? String(error) : null,
        count,
      });
    });
  } else if (command.cmd === 'add_node') {
    dht.addNode({ host: command.host, port: command.port });
  }
});
lines.on('close', () => {
  clearInterval(status);
  dht.destroy(() => process.exit(0));
});
