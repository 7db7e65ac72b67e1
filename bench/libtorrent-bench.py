#!/usr/bin/python3
"""libtorrent (Debian python3-libtorrent 2.0) as the benchmark's seeder and reference leecher.

  create SRC OUT --piece-length N   one file -> v1-only .torrent without trackers; prints {"infoHash"}
  seed TORRENT DATA_DIR [--tracker URL]
                                    seed_mode (no start-up hash check), 127.0.0.1 on a port it picks; with
                                    --tracker it announces there first; then prints {"event":"ready","port"}
                                    and seeds until stdin closes or SIGTERM
  leech TORRENT DATA_DIR --connect HOST:PORT
                                    downloads, prints {"event":"complete"} once every piece passed its hash
                                    check, and exits 0

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


def make_session():
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
    })


def add(session, torrent, data_dir, seed_mode, trackers=()):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = os.path.abspath(data_dir)
    params.trackers = list(trackers)
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


def cmd_seed(args):
    session = make_session()
    handle = add(session, args.torrent, args.data_dir, True, [args.tracker] if args.tracker else [])
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    announced = {"ok": not args.tracker}

    def on_alert(alert):
        if isinstance(alert, lt.tracker_reply_alert):
            announced["ok"] = True
        elif isinstance(alert, lt.tracker_error_alert):
            sys.stderr.write("libtorrent tracker: %s\n" % alert.message())

    deadline = time.monotonic() + 30
    while handle.status().state in CHECKING or not announced["ok"]:
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


def cmd_leech(args):
    session = make_session()
    handle = add(session, args.torrent, args.data_dir, False)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    host, _, port = args.connect.rpartition(":")
    dialled = False
    while True:
        status = handle.status()
        if not dialled and status.state not in CHECKING:
            handle.connect_peer((host, int(port)))
            dialled = True
        # is_seeding is set only after every piece passed its hash check.
        if status.is_seeding:
            emit({"event": "complete", "downloaded": status.total_wanted_done})
            return
        session.wait_for_alert(10)
        report_errors(session)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    create = sub.add_parser("create")
    create.add_argument("src")
    create.add_argument("out")
    create.add_argument("--piece-length", type=int, required=True)
    seed = sub.add_parser("seed")
    seed.add_argument("torrent")
    seed.add_argument("data_dir")
    seed.add_argument("--tracker")
    leech = sub.add_parser("leech")
    leech.add_argument("torrent")
    leech.add_argument("data_dir")
    leech.add_argument("--connect", required=True)
    args = parser.parse_args()
    {"create": cmd_create, "seed": cmd_seed, "leech": cmd_leech}[args.mode](args)


if __name__ == "__main__":
    main()
