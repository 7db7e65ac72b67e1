#!/usr/bin/python3
"""libtorrent (Debian python3-libtorrent 2.0) as the benchmark's seeder and reference leecher.

  create SRC OUT --piece-length N   one file or folder -> v1-only .torrent without trackers; prints {"infoHash"}
  create-many SRC_DIR OUT_DIR --piece-length N
                                    one single-file torrent per file in SRC_DIR; one {"file","torrentFile",
                                    "infoHash"} line each
  seed TORRENT... DATA_DIR [--tracker URL]
                                    seed_mode (no start-up hash check), 127.0.0.1 on a port it picks; with
                                    --tracker it announces there first; then prints {"event":"ready","port"}
                                    and seeds until stdin closes or SIGTERM, then prints {"event":"stats",
                                    "uploaded"} (payload bytes sent)
  leech TORRENT... DATA_DIR --connect HOST:PORT [--connect ...] [--sessions N]
                                    downloads every torrent (with --sessions N: N sessions in this process,
                                    each into DATA_DIR/N, each dialling every --connect), prints
                                    {"event":"complete"} once every piece of every torrent in every session
                                    passed its hash check, and exits 0
  check TORRENT DATA_DIR            hash-checks existing data (what force_recheck does), prints
                                    {"event":"complete","have"} when done and exits 0

Unlike interop/harness/libtorrent_peer.py this seeder can announce to a tracker (aria2 finds peers no other way),
and the leecher reacts to completion within milliseconds, since its exit time is what the benchmark measures.
Everything reaching outside is off: DHT, LSD, UPnP, NAT-PMP, uTP. Run with Debian's /usr/bin/python3.
"""
import argparse
import json
import os
import select
import signal
import sys
import time

import libtorrent as lt

CHECKING = (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(message, code=2):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(code)


def make_session(plugins=True):
    # Without the default plugins (ut_pex, ut_metadata, smart_ban) leechers cannot find each other through a
    # seeder's PEX: a swarm of them measures what the seeder uploads, not what they trade.
    return lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification,
    }, 1 if plugins else 0)


def add(session, torrent, data_dir, seed_mode, trackers=()):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = os.path.abspath(data_dir)
    params.trackers = list(trackers)
    # Not auto-managed: libtorrent's queue would keep all but a few torrents paused (active_seeds 5,
    # active_downloads 3), and a benchmark with many torrents wants them all running.
    params.flags &= ~lt.torrent_flags.auto_managed
    params.flags &= ~lt.torrent_flags.paused
    if seed_mode:
        params.flags |= lt.torrent_flags.seed_mode
    return session.add_torrent(params)


def report_errors(session, on_alert=None):
    for alert in session.pop_alerts():
        if on_alert:
            on_alert(alert)
        if alert.category() & lt.alert.category_t.error_notification:
            sys.stderr.write("libtorrent: %s\n" % alert.message())


def cmd_create(args):
    src = os.path.abspath(args.src)
    fs = lt.file_storage()
    lt.add_files(fs, src)
    ct = lt.create_torrent(fs, args.piece_length, flags=lt.create_torrent.v1_only)
    ct.set_creator("bitloom bench")
    lt.set_piece_hashes(ct, os.path.dirname(src))
    with open(args.out, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    emit({"infoHash": str(lt.torrent_info(args.out).info_hashes().v1)})


def cmd_create_many(args):
    src = os.path.abspath(args.src)
    for name in sorted(os.listdir(src)):
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(src, name))
        ct = lt.create_torrent(fs, args.piece_length, flags=lt.create_torrent.v1_only)
        ct.set_creator("bitloom bench")
        lt.set_piece_hashes(ct, src)
        out = os.path.join(os.path.abspath(args.out), name + ".torrent")
        with open(out, "wb") as f:
            f.write(lt.bencode(ct.generate()))
        emit({"file": name, "torrentFile": out, "infoHash": str(lt.torrent_info(out).info_hashes().v1)})


def cmd_seed(args):
    session = make_session()
    trackers = [args.tracker] if args.tracker else []
    handles = [add(session, torrent, args.data_dir, True, trackers) for torrent in args.torrents]
    handle = handles[0]
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    announced = {"ok": not args.tracker}

    def on_alert(alert):
        if isinstance(alert, lt.tracker_reply_alert):
            announced["ok"] = True
        elif isinstance(alert, lt.tracker_error_alert):
            sys.stderr.write("libtorrent tracker: %s\n" % alert.message())

    deadline = time.monotonic() + 30 + len(handles) / 10
    while any(h.status().state in CHECKING for h in handles) or not announced["ok"]:
        if time.monotonic() > deadline:
            fail("seeder did not become ready (announced: %s)" % announced["ok"], 3)
        session.wait_for_alert(50)
        report_errors(session, on_alert)
    emit({"event": "ready", "port": session.listen_port()})
    while not stop["now"]:
        readable, _, _ = select.select([sys.stdin], [], [], 0.2)
        if readable and sys.stdin.buffer.read1(4096) == b"":
            break
        report_errors(session)
    emit({"event": "stats", "uploaded": sum(h.status().total_payload_upload for h in handles)})


def cmd_leech(args):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    peers = []
    for address in args.connect:
        host, _, port = address.rpartition(":")
        peers.append((host, int(port)))
    if args.sessions is None:
        sessions = [(make_session(), args.data_dir)]
    else:
        sessions = [(make_session(plugins=False), os.path.join(args.data_dir, str(i))) for i in range(args.sessions)]
    pending = []
    for session, data_dir in sessions:
        for torrent in args.torrents:
            pending.append({"session": session, "handle": add(session, torrent, data_dir, False), "dialled": False})
    downloaded = 0
    while pending:
        for entry in list(pending):
            status = entry["handle"].status()
            if not entry["dialled"] and status.state not in CHECKING:
                for peer in peers:
                    entry["handle"].connect_peer(peer)
                entry["dialled"] = True
            # is_seeding is set only after every piece passed its hash check.
            if status.is_seeding:
                downloaded += status.total_wanted_done
                pending.remove(entry)
        if not pending:
            break
        # One session waits; the others' alerts are drained without waiting.
        sessions[0][0].wait_for_alert(10 if len(pending) < 50 else 50)
        for session, _ in sessions:
            report_errors(session)
    emit({"event": "complete", "downloaded": downloaded})


def cmd_check(args):
    session = make_session()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    handle = add(session, args.torrent, args.data_dir, False)
    checked = {"done": False}

    def on_alert(alert):
        if isinstance(alert, lt.torrent_checked_alert):
            checked["done"] = True

    while not checked["done"]:
        session.wait_for_alert(10)
        report_errors(session, on_alert)
    emit({"event": "complete", "have": handle.status().num_pieces})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    create = sub.add_parser("create")
    create.add_argument("src")
    create.add_argument("out")
    create.add_argument("--piece-length", type=int, required=True)
    create_many = sub.add_parser("create-many")
    create_many.add_argument("src")
    create_many.add_argument("out")
    create_many.add_argument("--piece-length", type=int, required=True)
    seed = sub.add_parser("seed")
    seed.add_argument("torrents", nargs="+")
    seed.add_argument("data_dir")
    seed.add_argument("--tracker")
    leech = sub.add_parser("leech")
    leech.add_argument("torrents", nargs="+")
    leech.add_argument("data_dir")
    leech.add_argument("--connect", action="append", required=True)
    leech.add_argument("--sessions", type=int)
    check = sub.add_parser("check")
    check.add_argument("torrent")
    check.add_argument("data_dir")
    args = parser.parse_args()
    commands = {"create": cmd_create, "create-many": cmd_create_many, "seed": cmd_seed, "leech": cmd_leech,
                "check": cmd_check}
    commands[args.mode](args)


if __name__ == "__main__":
    main()
