/**
 * Why a peer connection ended, kept apart from what failed (libtorrent's close_reason vs operation). Every close
 * carries one of these codes and a human detail.
 */
export type CloseReason =
  | 'connect-failed'
  | 'handshake-timeout'
  | 'bad-handshake'
  | 'unknown-info-hash'
  | 'self-connection'
  | 'duplicate-connection'
  | 'protocol-error'
  | 'message-too-long'
  | 'inactive'
  | 'banned'
  | 'remote-closed'
  | 'torrent-stopped'
  | 'too-many-connections'
  | 'not-useful'
  | 'storage-error';

export interface PeerClose {
  readonly reason: CloseReason;
  readonly detail: string;
}
