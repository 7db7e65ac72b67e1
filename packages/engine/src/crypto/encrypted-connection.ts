/**
 * The `Connection` a peer connection gets once the first bytes of a stream have been read by the MSE/PE
 * handshake (or by the check for a plain BitTorrent handshake): it replays the payload bytes the handshake
 * already received, then passes the stream through, encrypting writes and decrypting reads with RC4 when the
 * handshake selected it. The RC4 streams carry on from the handshake, so no keystream byte is used twice.
 */
import type { Connection, ConnectionHandlers } from '../platform/network.js';
import type { StreamEncryption } from './mse-protocol.js';
import type { Rc4 } from './rc4.js';

export interface EncryptedConnectionOptions {
  readonly encryption: StreamEncryption;
  /** Present exactly when `encryption` is `rc4`. */
  readonly ciphers?: { readonly encrypt: Rc4; readonly decrypt: Rc4 } | undefined;
  /** Payload bytes already read (and decrypted) by the handshake; delivered first. */
  readonly received?: Uint8Array;
}

export class EncryptedConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** What protects this stream: `rc4`, `plaintext` (MSE chose no encryption), or `none` (no MSE at all). */
  readonly encryption: StreamEncryption;
  private readonly inner: Connection;
  private readonly encrypt: Rc4 | undefined;
  private readonly decrypt: Rc4 | undefined;
  private handlers: ConnectionHandlers | undefined;
  /** Chunks waiting for handlers, or for `resume`. */
  private readonly pending: Uint8Array[] = [];
  private pendingClose: { error: Error | undefined } | undefined;
  private closeDelivered = false;
  private paused = false;
  private innerPaused = false;
  private flushScheduled = false;
  /** Where reads are decrypted; handed to `handlers.data`, which may not keep it. */
  private scratch = new Uint8Array(0);

  /** Takes over `inner`'s handlers at once; reads from `inner` are held until this connection's are set. */
  constructor(inner: Connection, options: EncryptedConnectionOptions) {
    this.inner = inner;
    this.remoteAddress = inner.remoteAddress;
    this.remotePort = inner.remotePort;
    this.encryption = options.encryption;
    if ((options.encryption === 'rc4') !== (options.ciphers !== undefined)) {
      throw new Error('EncryptedConnection: ciphers go with rc4 and only with rc4');
    }
    this.encrypt = options.ciphers?.encrypt;
    this.decrypt = options.ciphers?.decrypt;
    if (options.received !== undefined && options.received.length > 0) this.pending.push(options.received);
    inner.setHandlers({
      data: (chunk) => this.onData(chunk),
      drain: () => this.handlers?.drain(),
      close: (error) => {
        this.pendingClose = { error };
        this.flush();
      },
    });
    this.syncInnerPause();
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    this.syncInnerPause();
    // Handlers never run re-entrantly: the replayed bytes arrive after the caller's own setup is done.
    this.scheduleFlush();
  }

  write(data: Uint8Array): boolean {
    // The caller may keep or reuse `data` (e.g. a cached block), so encrypt a copy.
    return this.inner.write(this.encrypt ? this.encrypt.apply(data) : data);
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  cork(): void {
    this.inner.cork();
  }

  uncork(): void {
    this.inner.uncork();
  }

  pause(): void {
    this.paused = true;
    this.syncInnerPause();
  }

  resume(): void {
    this.paused = false;
    this.syncInnerPause();
    this.scheduleFlush();
  }

  end(): void {
    this.inner.end();
  }

  destroy(): void {
    this.inner.destroy();
  }

  private onData(chunk: Uint8Array): void {
    // The chunk is only borrowed (Connection contract): decrypt into memory of ours, never into the platform's.
    if (this.handlers !== undefined && !this.paused && this.pending.length === 0) {
      // Our handlers get the same contract, so one scratch buffer serves every read.
      this.handlers.data(this.decrypt ? this.decrypt.applyInPlace(this.scratchCopy(chunk)) : chunk);
    } else {
      this.pending.push(this.decrypt ? this.decrypt.apply(chunk) : chunk.slice());
    }
  }

  /** `chunk` copied into the reused decryption buffer, grown to the largest read seen. */
  private scratchCopy(chunk: Uint8Array): Uint8Array {
    if (this.scratch.length < chunk.length) this.scratch = new Uint8Array(chunk.length);
    const view = this.scratch.subarray(0, chunk.length);
    view.set(chunk);
    return view;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.handlers === undefined) return;
    while (this.pending.length > 0 && !this.paused) this.handlers.data(this.pending.shift()!);
    if (this.pending.length === 0 && this.pendingClose !== undefined && !this.closeDelivered) {
      this.closeDelivered = true;
      this.handlers.close(this.pendingClose.error);
    }
  }

  private syncInnerPause(): void {
    const shouldPause = this.paused || this.handlers === undefined;
    if (shouldPause === this.innerPaused) return;
    this.innerPaused = shouldPause;
    if (shouldPause) this.inner.pause();
    else this.inner.resume();
  }
}
