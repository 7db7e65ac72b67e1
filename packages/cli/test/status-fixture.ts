/** A TorrentStatus for rendering tests: a 100 MiB torrent half downloaded, with overrides (every file wanted). */
import type { TorrentStatus } from '@bitloom/engine';

export const MIB = 1024 * 1024;

export function status(overrides: Partial<TorrentStatus> = {}): TorrentStatus {
  return {
    infoHash: 'ab'.repeat(20),
    name: 'payload',
    state: 'downloading',
    error: undefined,
    totalBytes: 100 * MIB,
    verifiedBytes: 50 * MIB,
    wantedBytes: overrides.totalBytes ?? 100 * MIB,
    wantedVerifiedBytes: overrides.verifiedBytes ?? 50 * MIB,
    progress: 0.5,
    piecesHad: 50,
    pieceCount: 100,
    checkedPieces: 100,
    downloadedBytes: 50 * MIB,
    uploadedBytes: 5 * MIB,
    wastedBytes: 0,
    hashFailures: 0,
    downloadRate: 2 * MIB,
    uploadRate: 512 * 1024,
    peersConnected: 3,
    peersKnown: 12,
    ...overrides,
  };
}
