/**
 * The open file read streams of one torrent and their read-ahead: whenever a stream moves to another piece,
 * starts or stops waiting, or ends, the windows of all streams are recomputed (pieces/read-ahead.ts) and handed
 * to the picker as time-critical pieces; the rest of the torrent keeps rarest first. A verified piece wakes the
 * streams waiting for it; a stopped or failed torrent ends them with a `StreamError`.
 */
import { readAheadWindows } from '../pieces/read-ahead.js';
import type { Settings } from '../session/settings.js';
import {
  FileReadStream,
  type ReadStreamOptions,
  StreamError,
  type StreamReader,
} from './file-read-stream.js';
import type { TorrentEvents, TorrentState } from './torrent-status.js';

/** What the streams need from their torrent (its public side). */
export interface StreamTorrent {
  readonly info: { readonly pieceLength: number };
  readonly state: TorrentState;
  /** Why the torrent failed, once its state is `error`. */
  readonly error: Error | undefined;
  readonly picker: {
    have(piece: number): boolean;
    piecePriority(piece: number): number;
    setCriticalPieces(critical: readonly number[], stalled: readonly number[]): void;
  };
  readBlock(range: { piece: number; begin: number; length: number }): Promise<Uint8Array>;
  on<K extends keyof TorrentEvents>(event: K, listener: (payload: TorrentEvents[K]) => void): () => void;
}

export class FileStreams {
  readonly #streams = new Set<FileReadStream>();
  readonly #reader: StreamReader;
  #critical: readonly number[] = [];
  #stalled: readonly number[] = [];
  /** The torrent was stopped (or removed): it does not start again. */
  #stopped = false;

  constructor(
    private readonly torrent: StreamTorrent,
    private readonly settings: Pick<Settings, 'streamReadAheadBytes' | 'streamStallMs'>,
    private readonly clock: { now(): number },
    /** Tops up the peers' requests (the time-critical pieces changed). */
    private readonly requestMore: () => void,
  ) {
    const picker = torrent.picker;
    this.#reader = {
      pieceLength: torrent.info.pieceLength,
      have: (piece) => picker.have(piece),
      piecePriority: (piece) => picker.piecePriority(piece),
      read: (piece, begin, length) => torrent.readBlock({ piece, begin, length }),
      now: () => clock.now(),
      changed: (stream) => this.#changed(stream),
    };
    torrent.on('piece', ({ piece }) => {
      for (const stream of this.#streams) stream.pieceVerified(piece);
    });
    torrent.on('state', ({ state }) => {
      if (state === 'stopped') {
        this.#stopped = true;
        this.#failAll(new StreamError('STREAM_TORRENT_STOPPED', 'the torrent was stopped'));
      } else if (state === 'error') {
        this.#failAll(this.#failure());
      }
    });
  }

  get size(): number {
    return this.#streams.size;
  }

  /** A stream over torrent offsets [from, to). */
  readonly open = (from: number, to: number, options: ReadStreamOptions): FileReadStream => {
    const stream = new FileReadStream(this.#reader, from, to, options.signal);
    if (this.#stopped) stream.fail(new StreamError('STREAM_TORRENT_STOPPED', 'the torrent was stopped'));
    else if (this.torrent.state === 'error') stream.fail(this.#failure());
    else if (!stream.ended) {
      this.#streams.add(stream);
      this.#update();
    }
    return stream;
  };

  /** Marks next pieces waited on too long as stalled (called from the torrent's tick). */
  tick(): void {
    if (this.#streams.size > 0) this.#update();
  }

  #failure(): StreamError {
    const cause = this.torrent.error;
    return new StreamError('STREAM_TORRENT_ERROR', `the torrent failed: ${cause?.message ?? 'unknown'}`, {
      cause,
    });
  }

  #changed(stream: FileReadStream): void {
    if (stream.ended) this.#streams.delete(stream);
    this.#update();
  }

  #update(): void {
    const picker = this.torrent.picker;
    const { critical, stalled } = readAheadWindows(
      [...this.#streams].map((stream) => stream.position),
      {
        windowPieces: Math.ceil(this.settings.streamReadAheadBytes / this.torrent.info.pieceLength),
        stallMs: this.settings.streamStallMs,
        now: this.clock.now(),
        have: (piece) => picker.have(piece),
      },
    );
    if (sameList(critical, this.#critical) && sameList(stalled, this.#stalled)) return;
    this.#critical = critical;
    this.#stalled = stalled;
    picker.setCriticalPieces(critical, stalled);
    this.requestMore();
  }

  #failAll(error: StreamError): void {
    for (const stream of [...this.#streams]) stream.fail(error);
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
