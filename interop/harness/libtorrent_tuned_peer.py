#!/usr/bin/env python3
"""libtorrent_peer.py with extra session settings, to force situations an interop test needs.

Same commands and JSON lines as libtorrent_peer.py. BITLOOM_LT_SETTINGS (a JSON object of settings_pack names to
values) is applied to every session it makes; BITLOOM_LT_LATER_SETTINGS ({"afterSeconds": S, "settings": {...}})
is applied once, S seconds after the session was made (e.g. unchoke_slots_limit 0 mid-download, so libtorrent
chokes a peer with requests in flight and rejects them). Used by interop/engine-extensions.test.ts.
"""
import json
import os
import time

import libtorrent as lt

import libtorrent_peer

_make_plain_session = libtorrent_peer.make_session
_connect_when_ready = libtorrent_peer.connect_when_ready
_sessions = []


def make_tuned_session(port):
    session = _make_plain_session(port)
    extra = json.loads(os.environ.get("BITLOOM_LT_SETTINGS", "{}"))
    if extra:
        session.apply_settings(extra)
    later = json.loads(os.environ.get("BITLOOM_LT_LATER_SETTINGS", "null"))
    if later:
        _sessions.append({"session": session, "at": time.monotonic() + later["afterSeconds"], "later": later})
    return session


def connect_and_apply_later(handle, peers, done):
    """Runs once per main-loop turn of every mode: the hook that applies the delayed settings on time."""
    now = time.monotonic()
    for pending in list(_sessions):
        if now >= pending["at"]:
            pending["session"].apply_settings(pending["later"]["settings"])
            libtorrent_peer.emit({"event": "settings-applied", "settings": pending["later"]["settings"]})
            _sessions.remove(pending)
    return _connect_when_ready(handle, peers, done)


libtorrent_peer.make_session = make_tuned_session
libtorrent_peer.connect_when_ready = connect_and_apply_later

if __name__ == "__main__":
    assert lt.version
    libtorrent_peer.main()
