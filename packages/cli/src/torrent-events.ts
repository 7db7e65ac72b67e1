/**
 * The `--json` events of one running torrent (NDJSON, see ndjson.ts): `metadata` once, `resume` once the start-up
 * check is over, `progress` on each tick, `piece-failed`, `resume-save-failed`, `done` and `error`. With `--files`, `metadata` carries the file list and `progress` and
 * `done` each file's verified bytes.
 */
import type { FileStatus, ResumeOutcome, Torrent, TorrentStatus } from '@bitloom/engine';
import type { OutputStream } from './cli-context.js';
import { errorEventLine, eventLine } from './ndjson.js';

export class TorrentEvents {
  constructor(
    private readonly out: OutputStream,
    private readonly torrent: Torrent,
    private readonly showFiles: boolean,
  ) {}

  /** The files as the display and events show them (padding files left out); undefined without --files. */
  files(): FileStatus[] | undefined {
    if (!this.showFiles) return undefined;
    return this.torrent
      .files()
      .map((file) => file.status())
      .filter((file) => !file.padding);
  }

  metadata(): void {
    const { torrent } = this;
    this.emit('metadata', {
      name: torrent.info.name,
      infoHash: torrent.infoHashHex,
      totalBytes: torrent.info.totalLength,
      pieceCount: torrent.pieceCount,
      pieceLength: torrent.info.pieceLength,
      files: torrent.info.files.filter((f) => !f.padding).length,
      ...(this.showFiles && {
        fileList: this.files()!.map(({ index, path, length, priority }) => ({
          index,
          path,
          length,
          priority,
        })),
      }),
    });
  }

  progress(status: TorrentStatus): void {
    this.emit('progress', this.withFiles(status));
  }

  done(status: TorrentStatus): void {
    this.emit('done', this.withFiles(status));
  }

  /** What the start-up check found (resume data used, or why not). */
  resume(outcome: ResumeOutcome): void {
    this.emit('resume', outcome);
  }

  resumeSaveFailed(reason: string): void {
    this.emit('resume-save-failed', { reason });
  }

  pieceFailed(event: { piece: number; peers: number }): void {
    this.emit('piece-failed', event);
  }

  error(error: Error): void {
    this.out.write(errorEventLine(error));
  }

  private withFiles(status: TorrentStatus): object {
    const files = this.files();
    if (!files) return status;
    return {
      ...status,
      fileProgress: files.map(({ index, verifiedBytes, progress }) => ({ index, verifiedBytes, progress })),
    };
  }

  private emit(event: string, data: object): void {
    this.out.write(eventLine(event, data));
  }
}
