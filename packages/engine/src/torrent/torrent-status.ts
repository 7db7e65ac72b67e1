/** The plain-data view of a torrent that events and status calls hand out (never live objects). */
import type { ResumeOutcome } from './resume-state.js';

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'stopped' | 'error';

export interface TorrentStatus {
  readonly infoHash: string;
  readonly name: string;
  readonly state: TorrentState;
  readonly error: string | undefined;
  readonly totalBytes: number;
  /** Bytes of pieces that passed their hash check and were written. */
  readonly verifiedBytes: number;
  /** Bytes of the pieces to download: every piece, unless files are skipped (a piece shared with a wanted file counts). */
  readonly wantedBytes: number;
  /** Of `wantedBytes`, the bytes of pieces verified and written. */
  readonly wantedVerifiedBytes: number;
  /** wantedVerifiedBytes / wantedBytes (1 when nothing is wanted). Nothing unverified counts. */
  readonly progress: number;
  readonly piecesHad: number;
  readonly pieceCount: number;
  /** Pieces looked at by the start-up check so far. */
  readonly checkedPieces: number;
  /** Payload bytes received for blocks we requested. */
  readonly downloadedBytes: number;
  readonly uploadedBytes: number;
  /** Payload bytes received but not used (duplicates in endgame, unrequested blocks). */
  readonly wastedBytes: number;
  readonly hashFailures: number;
  /** Bytes per second, over the last few seconds. */
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly peersConnected: number;
  readonly peersKnown: number;
}

export type TorrentEvents = {
  state: { state: TorrentState };
  piece: { piece: number };
  'piece-failed': { piece: number; peers: number };
  /** A piece we had could not be read back from storage (file deleted or truncated): it will be fetched again. */
  'piece-lost': { piece: number; reason: string };
  /**
   * The start-up check is over: `resumed` when saved resume data was used (a few pieces are still hashed),
   * otherwise every piece was hashed and `reason` says why the resume data was not used.
   */
  resume: ResumeOutcome;
  /** Resume data could not be saved (the previous copy stays); the download goes on. */
  'resume-save-failed': { reason: string };
  done: TorrentStatus;
  error: Error;
  'peer-connected': { address: string };
  'peer-closed': { address: string; reason: string; detail: string };
};
