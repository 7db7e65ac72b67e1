#!/usr/bin/python3
"""libtorrent 2.0 as a DHT node (BEP 5) on loopback for bitloom's interop tests.

Starts a session with only the DHT enabled, bound to 127.0.0.1, with libtorrent's IP restrictions off so
loopback nodes count, and no default bootstrap routers (nothing leaves the machine). It bootstraps from the
nodes given with --node, then reads JSON commands from stdin, one a line:
  {"cmd": "add_torrent", "info_hash": HEX}   (libtorrent then announces its own listen port to the DHT)
  {"cmd": "add_torrent", "torrent_file": PATH, "save_path": DIR, "seed_mode": true}   (seeds it, announcing)
  {"cmd": "add_torrent", "magnet": URI, "save_path": DIR}   (downloads it: peers from the DHT, BEP 9 metadata)
  {"cmd": "get_peers", "info_hash": HEX}
  {"cmd": "add_node", "host": "127.0.0.1", "port": N}
and prints JSON lines: {"event": "ready", "port": P}, {"event": "peers", "info_hash": HEX, "peers": [[ip, port]…]}
for every get_peers reply, {"event": "announce_in", "info_hash": HEX, "ip": IP, "port": N} for every
announce_peer another node sent us, {"event": "status", "dht_nodes": N} every second, and for every torrent
{"event": "torrent", "info_hash": HEX, "has_metadata", "progress", "is_seeding", "peers"} every second.
Runs until stdin closes.
"""
import argparse
import json
import select
import sys
import time
import warnings

import libtorrent as lt


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    warnings.simplefilter("ignore", DeprecationWarning)  # session.status() still gives dht_nodes
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--node", action="append", default=[], help="host:port to bootstrap from")
    parser.add_argument("--log", action="store_true", help="print libtorrent's DHT log and packets to stderr")
    args = parser.parse_args()
    log_mask = (lt.alert_category.dht_log | lt.alert_category.dht_operation) if args.log else 0

    session = lt.session(
        {
            "listen_interfaces": "127.0.0.1:%d" % args.port,
            "enable_dht": True,
            "dht_bootstrap_nodes": "",
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_outgoing_utp": False,
            "enable_incoming_utp": False,
            "dht_restrict_routing_ips": False,
            "dht_restrict_search_ips": False,
            "dht_enforce_node_id": False,
            "dht_ignore_dark_internet": False,
            "dht_prefer_verified_node_ids": False,
            "alert_mask": lt.alert_category.dht | lt.alert_category.dht_operation | lt.alert_category.error | log_mask,
        }
    )
    for node in args.node:
        host, port = node.rsplit(":", 1)
        session.add_dht_node((host, int(port)))
    deadline = time.monotonic() + 10
    while session.listen_port() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    emit({"event": "ready", "port": session.listen_port()})

    torrents = []
    stdin_open = True
    last_status = 0.0
    while stdin_open:
        readable, _, _ = select.select([sys.stdin], [], [], 0.1)
        if readable:
            line = sys.stdin.readline()
            if line == "":
                stdin_open = False
            elif line.strip():
                command = json.loads(line)
                name = command["cmd"]
                if name == "add_torrent":
                    # The Python binding cannot build dht_announce's flags argument, so announce the way
                    # libtorrent itself does: a torrent (a bare info-hash, a magnet link or a torrent file)
                    # announces its listen port.
                    if "torrent_file" in command:
                        params = lt.add_torrent_params()
                        params.ti = lt.torrent_info(command["torrent_file"])
                    else:
                        params = lt.parse_magnet_uri(
                            command.get("magnet") or "magnet:?xt=urn:btih:" + command["info_hash"]
                        )
                    params.save_path = command.get("save_path", "/tmp")
                    params.flags &= ~lt.torrent_flags.auto_managed
                    params.flags &= ~lt.torrent_flags.paused
                    if command.get("seed_mode"):
                        params.flags |= lt.torrent_flags.seed_mode
                    torrents.append(session.add_torrent(params))
                elif name == "get_peers":
                    session.dht_get_peers(lt.sha1_hash(bytes.fromhex(command["info_hash"])))
                elif name == "add_node":
                    session.add_dht_node((command["host"], command["port"]))
        for alert in session.pop_alerts():
            if isinstance(alert, lt.dht_get_peers_reply_alert):
                peers = [[ip, port] for ip, port in alert.peers()]
                emit({"event": "peers", "info_hash": str(alert.info_hash), "peers": peers})
            elif args.log and isinstance(alert, (lt.dht_log_alert, lt.dht_pkt_alert)):
                sys.stderr.write(alert.message() + "\n")
            elif isinstance(alert, lt.dht_announce_alert):
                emit({"event": "announce_in", "info_hash": str(alert.info_hash), "ip": str(alert.ip),
                      "port": alert.port})
            elif isinstance(alert, lt.dht_bootstrap_alert):
                emit({"event": "bootstrapped"})
            elif alert.category() & lt.alert_category.error:
                sys.stderr.write("libtorrent: %s\n" % alert.message())
        now = time.monotonic()
        if now - last_status >= 1.0:
            last_status = now
            session.post_dht_stats()
            status = session.status()
            emit({"event": "status", "dht_nodes": status.dht_nodes})
            for handle in torrents:
                t = handle.status()
                emit({
                    "event": "torrent",
                    "info_hash": str(t.info_hashes.v1),
                    "has_metadata": t.has_metadata,
                    "progress": t.progress,
                    "is_seeding": t.is_seeding and t.state == lt.torrent_status.seeding,
                    "peers": t.num_peers,
                })


if __name__ == "__main__":
    main()
