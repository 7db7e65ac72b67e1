#!/usr/bin/env python3
"""libtorrent_peer.py with protocol encryption (MSE/PE) forced both ways.

Same commands and JSON lines as libtorrent_peer.py; every session it makes refuses plaintext: out_enc_policy and
in_enc_policy forced (0), allowed_enc_level rc4 only (2), prefer_rc4 on. Used by interop/engine-encryption.test.ts
to prove bitloom accepts the MSE handshake libtorrent opens with.
"""
import libtorrent as lt

import libtorrent_peer

FORCED = 0  # settings_pack::enc_policy::pe_forced
RC4_ONLY = 2  # settings_pack::enc_level::pe_rc4

_make_plain_session = libtorrent_peer.make_session


def make_encrypted_session(port):
    session = _make_plain_session(port)
    session.apply_settings({
        "out_enc_policy": FORCED,
        "in_enc_policy": FORCED,
        "allowed_enc_level": RC4_ONLY,
        "prefer_rc4": True,
    })
    return session


libtorrent_peer.make_session = make_encrypted_session

if __name__ == "__main__":
    assert lt.version
    libtorrent_peer.main()
