#!/usr/bin/python3
"""libtorrent (python3-libtorrent 2.0) as an interop peer for bitloom's tests, one mode per argv[1].

  create SRC OUT --piece-length N     files -> v1-only .torrent; prints {"infoHash", "pieces": [hex...]}
  info TORRENT                        prints {"infoHash", "pieceLength", "pieces": [hex...], "files": [...]}
  check TORRENT DATA_DIR              libtorrent hashes the data itself against the torrent; prints
                                      {"infoHash", "numPieces", "verifiedPieces", "complete"}
  seed TORRENT DATA_DIR [--port P] [--connect HOST:PORT]...
                                      seed_mode, loopback only; prints {"event":"ready","port"} then one
                                      {"event":"status",...} line a second; exits on stdin EOF or SIGTERM
  leech TORRENT DATA_DIR [--port P] [--connect HOST:PORT]... [--timeout S]
                                      downloads; prints progress lines; exits 0 once complete and seeding
  leech-magnet URI DATA_DIR [--port P] [--connect HOST:PORT]... [--timeout S]
                                      the same from a magnet link (BEP 9): its x.pe peers and --connect peers
                                      (dialled in the metadata phase) give the metadata; prints one
                                      {"event":"metadata",...} line when it has arrived

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


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(message, code=2):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(code)


def piece_hashes(ti):
    return [ti.hash_for_piece(i).hex() for i in range(ti.num_pieces())]


def v1_hash_hex(ti):
    return str(ti.info_hashes().v1)


def cmd_create(args):
    src = os.path.abspath(args.src)
    fs = lt.file_storage()
    lt.add_files(fs, src)
    if fs.num_files() == 0:
        fail("no files under " + src)
    ct = lt.create_torrent(fs, args.piece_length, flags=lt.create_torrent.v1_only)
    ct.set_creator("libtorrent interop harness")
    lt.set_piece_hashes(ct, os.path.dirname(src))
    data = lt.bencode(ct.generate())
    with open(args.out, "wb") as f:
        f.write(data)
    ti = lt.torrent_info(args.out)
    emit({"infoHash": v1_hash_hex(ti), "pieces": piece_hashes(ti)})


def cmd_info(args):
    ti = lt.torrent_info(args.torrent)
    fs = ti.files()
    files = [{"path": fs.file_path(i), "length": fs.file_size(i)} for i in range(fs.num_files())]
    emit({
        "infoHash": v1_hash_hex(ti),
        "name": ti.name(),
        "pieceLength": ti.piece_length(),
        "totalLength": ti.total_size(),
        "pieces": piece_hashes(ti),
        "files": files,
    })


def cmd_check(args):
    session = make_session(0)
    handle = add(session, args, seed_mode=False)
    deadline = time.monotonic() + 60
    while handle.status().state in CHECKING or not handle.status().has_metadata:
        if time.monotonic() > deadline:
            fail("check timed out", 3)
        time.sleep(0.05)
    s = handle.status()
    have = sum(1 for bit in s.pieces if bit)
    emit({
        "infoHash": v1_hash_hex(handle.torrent_file()),
        "numPieces": handle.torrent_file().num_pieces(),
        "verifiedPieces": have,
        "complete": s.is_seeding,
    })


def make_session(port):
    settings = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    }
    return lt.session(settings)


def parse_peer(text):
    host, _, port = text.rpartition(":")
    return (host, int(port))


CHECKING = (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data)


def add(session, args, seed_mode):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = os.path.abspath(args.data_dir)
    if seed_mode:
        params.flags |= lt.torrent_flags.seed_mode
    # Started at once: an auto-managed torrent waits paused for the queue's next run, and until then libtorrent
    # turns every incoming peer away ("rejected, no active torrents").
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    return session.add_torrent(params)


def status_line(handle, event):
    s = handle.status()
    return {
        "event": event,
        "state": str(s.state),
        "progress": s.progress,
        "downloaded": s.total_wanted_done,
        "uploaded": s.all_time_upload,
        "peers": s.num_peers,
        "isSeeding": s.is_seeding,
    }


def connect_when_ready(handle, peers, done):
    """Dials each --connect peer once the torrent has left the checking states; returns the set dialled."""
    if not peers or handle.status().state in CHECKING:
        return done
    for peer in peers:
        if peer not in done:
            handle.connect_peer(peer)
            done.add(peer)
    return done


def wait_until_started(session, handle, seeding):
    """Returns once the TCP listen socket is up and the torrent has left the checking states (and, for a
    seeder, is seeding): before that libtorrent refuses peers, and a peer that dialled at `ready` would back off."""
    deadline = time.monotonic() + 30
    listening = False
    while True:
        for alert in session.pop_alerts():
            if isinstance(alert, lt.listen_succeeded_alert) and alert.socket_type == lt.socket_type_t.tcp:
                listening = True
            elif alert.category() & lt.alert.category_t.error_notification:
                sys.stderr.write("libtorrent: %s\n" % alert.message())
        s = handle.status()
        started = not s.paused and s.state not in CHECKING and (s.is_seeding or not seeding)
        if listening and started:
            return
        if time.monotonic() > deadline:
            fail("libtorrent did not start: listening=%s state=%s" % (listening, s.state), 3)
        time.sleep(0.02)


def cmd_seed(args):
    session = make_session(args.port)
    handle = add(session, args, seed_mode=True)
    wait_until_started(session, handle, seeding=True)
    emit({"event": "ready", "port": session.listen_port(), "infoHash": v1_hash_hex(handle.torrent_file())})
    peers = [parse_peer(p) for p in args.connect]
    dialled = set()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    next_status = time.monotonic() + 1
    while not stop["now"]:
        dialled = connect_when_ready(handle, peers, dialled)
        readable, _, _ = select.select([sys.stdin], [], [], 0.2)
        if readable and sys.stdin.buffer.read1(4096) == b"":
            break
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                sys.stderr.write("libtorrent: %s\n" % alert.message())
        if time.monotonic() >= next_status:
            emit(status_line(handle, "status"))
            next_status += 1


def cmd_leech(args):
    session = make_session(args.port)
    handle = add(session, args, seed_mode=False)
    wait_until_started(session, handle, seeding=False)
    emit({"event": "ready", "port": session.listen_port(), "infoHash": v1_hash_hex(handle.torrent_file())})
    peers = [parse_peer(p) for p in args.connect]
    dialled = set()
    deadline = time.monotonic() + args.timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    next_status = time.monotonic()
    while True:
        dialled = connect_when_ready(handle, peers, dialled)
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                sys.stderr.write("libtorrent: %s\n" % alert.message())
        s = handle.status()
        # is_seeding is set only after every piece passed its hash check and was written.
        if s.is_seeding and s.state == lt.torrent_status.seeding:
            emit(status_line(handle, "complete"))
            return
        if time.monotonic() >= next_status:
            emit(status_line(handle, "progress"))
            next_status += 1
        if time.monotonic() > deadline:
            fail("leech timed out at progress %.3f" % s.progress, 3)
        time.sleep(0.05)


def cmd_leech_magnet(args):
    session = make_session(args.port)
    params = lt.parse_magnet_uri(args.uri)
    params.save_path = os.path.abspath(args.data_dir)
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    handle = session.add_torrent(params)
    wait_until_started(session, handle, seeding=False)
    emit({"event": "ready", "port": session.listen_port(), "infoHash": str(params.info_hashes.v1)})
    peers = [parse_peer(p) for p in args.connect]
    dialled = set()
    metadata_seen = False
    deadline = time.monotonic() + args.timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    next_status = time.monotonic()
    while True:
        dialled = connect_when_ready(handle, peers, dialled)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.metadata_failed_alert):
                sys.stderr.write("libtorrent: metadata failed: %s\n" % alert.message())
            elif alert.category() & lt.alert.category_t.error_notification:
                sys.stderr.write("libtorrent: %s\n" % alert.message())
        s = handle.status()
        if not metadata_seen and s.has_metadata:
            metadata_seen = True
            ti = handle.torrent_file()
            emit({
                "event": "metadata",
                "infoHash": v1_hash_hex(ti),
                "name": ti.name(),
                "numFiles": ti.num_files(),
                "numPieces": ti.num_pieces(),
                "metadataSize": ti.metadata_size(),
            })
        if s.has_metadata and s.is_seeding and s.state == lt.torrent_status.seeding:
            emit(status_line(handle, "complete"))
            return
        if time.monotonic() >= next_status:
            emit(status_line(handle, "progress"))
            next_status += 1
        if time.monotonic() > deadline:
            fail("leech-magnet timed out (has_metadata=%s, progress %.3f)" % (s.has_metadata, s.progress), 3)
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    create = sub.add_parser("create")
    create.add_argument("src")
    create.add_argument("out")
    create.add_argument("--piece-length", type=int, required=True)
    info = sub.add_parser("info")
    info.add_argument("torrent")
    check = sub.add_parser("check")
    check.add_argument("torrent")
    check.add_argument("data_dir")
    for name in ("seed", "leech"):
        p = sub.add_parser(name)
        p.add_argument("torrent")
        p.add_argument("data_dir")
        p.add_argument("--port", type=int, default=0)
        p.add_argument("--connect", action="append", default=[])
        if name == "leech":
            p.add_argument("--timeout", type=float, default=120)
    magnet = sub.add_parser("leech-magnet")
    magnet.add_argument("uri")
    magnet.add_argument("data_dir")
    magnet.add_argument("--port", type=int, default=0)
    magnet.add_argument("--connect", action="append", default=[])
    magnet.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    modes = {
        "create": cmd_create,
        "info": cmd_info,
        "check": cmd_check,
        "seed": cmd_seed,
        "leech": cmd_leech,
        "leech-magnet": cmd_leech_magnet,
    }
    modes[args.mode](args)


if __name__ == "__main__":
    main()
