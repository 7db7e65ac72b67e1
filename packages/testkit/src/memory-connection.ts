/**
 * One end of an in-memory TCP connection (the engine's `Connection`). Each end owns its outgoing direction:
 * bytes written wait in a send queue, cross the link at the network's bandwidth, arrive after its latency and
 * wait in the receiver's unread queue until delivered. The receive window (bytes in flight + unread) stalls the
 * sender when the receiver does not read, so `write` returns false and `drain` comes later, as on a real socket.
 * Everything happens on `VirtualClock` timers; handlers never run re-entrantly.
 */
import { BitloomError, type Connection, type ConnectionHandlers } from '@bitloom/engine';
import type { VirtualClock } from './virtual-clock.js';

/** The link properties a connection reads from its network at the moment it sends. */
export interface LinkConditions {
  readonly clock: VirtualClock;
  /** One-way delay in ms. */
  readonly latencyMs: number;
  /** Bytes per second per direction; `Infinity` for no limit. */
  readonly bandwidthBytesPerSecond: number;
  /** `write` returns false once this many bytes are buffered. */
  readonly highWaterMark: number;
  /** Most bytes in flight plus unread at the receiver before the sender stalls. */
  readonly receiveWindow: number;
  /** Deliver reads in one reused buffer, scribbled over after each `data` call (see `MemoryNetworkOptions`). */
  readonly reuseReadBuffers?: boolean;
  /** True while either host is black-holed: nothing leaves or arrives. */
  isBlocked(hostA: string, hostB: string): boolean;
  /** Called once when a connection end closes, so the network can forget it. */
  onClosed(connection: MemoryConnection): void;
}

/** Written over a reused read buffer after each `data` call, so a receiver that kept the chunk sees garbage. */
const SCRIBBLE_BYTE = 0xee;

/** On a bandwidth-limited link, data crosses in slices of at most this size. */
const SLICE_BYTES = 16 * 1024;

type WireItem = { kind: 'data'; chunk: Uint8Array } | { kind: 'fin'; abortive: boolean };

export class MemoryConnection implements Connection {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  #peer!: MemoryConnection;
  readonly #link: LinkConditions;

  #handlers: ConnectionHandlers | undefined;
  readonly #sendQueue: Uint8Array[] = [];
  #queuedBytes = 0;
  #transmittingBytes = 0;
  #inFlightBytes = 0;
  readonly #unread: Uint8Array[] = [];
  #unreadBytes = 0;
  /** Items that arrived while a host was black-holed, delivered when it comes back. */
  readonly #held: WireItem[] = [];

  #corked = false;
  #paused = false;
  #needDrain = false;
  #drainScheduled = false;
  #deliveryScheduled = false;
  #ending = false;
  #finSent = false;
  #finReceived: { abortive: boolean } | undefined;
  #closed = false;
  #closeError: Error | undefined;
  #closeNotified = false;
  /** The reused read buffer when `link.reuseReadBuffers` is set, grown to the largest chunk. */
  #readBuffer = new Uint8Array(0);

  /** Bytes this end has had delivered to its `data` handler. */
  bytesReceived = 0;

  constructor(
    link: LinkConditions,
    local: { address: string; port: number },
    remote: { address: string; port: number },
  ) {
    this.#link = link;
    this.localAddress = local.address;
    this.localPort = local.port;
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
  }

  /** Makes the two ends of one connection. */
  static pair(
    link: LinkConditions,
    a: { address: string; port: number },
    b: { address: string; port: number },
  ): [MemoryConnection, MemoryConnection] {
    const endA = new MemoryConnection(link, a, b);
    const endB = new MemoryConnection(link, b, a);
    endA.#peer = endB;
    endB.#peer = endA;
    return [endA, endB];
  }

  get bufferedAmount(): number {
    return this.#queuedBytes + this.#transmittingBytes;
  }

  /** True once this end has closed (its `close` handler may still be about to run). */
  get closed(): boolean {
    return this.#closed;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    this.#scheduleDelivery();
  }

  write(data: Uint8Array): boolean {
    if (this.#closed || this.#ending) return false;
    if (data.length > 0) {
      // The caller may reuse its buffer; the copy becomes the receiver's chunk.
      this.#sendQueue.push(data.slice());
      this.#queuedBytes += data.length;
      this.#pump();
    }
    const belowMark = this.bufferedAmount < this.#link.highWaterMark;
    if (!belowMark) this.#needDrain = true;
    return belowMark;
  }

  cork(): void {
    this.#corked = true;
  }

  uncork(): void {
    this.#corked = false;
    this.#pump();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#scheduleDelivery();
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    this.#corked = false;
    this.#pump();
  }

  destroy(): void {
    if (this.#closed) return;
    if (!this.#finSent) {
      this.#finSent = true;
      this.#sendItem({ kind: 'fin', abortive: true });
    }
    this.#close(undefined);
  }

  /**
   * Kills both ends at once, as a TCP reset would: each gets `close(error)` with code `NET_CONNECTION_FAILED`
   * (the Node platform's code; the cause has errno `ECONNRESET`).
   */
  reset(): void {
    const error = () =>
      new BitloomError(
        'NET_CONNECTION_FAILED',
        `connection ${this.localAddress}:${this.localPort} <-> ${this.remoteAddress}:${this.remotePort} was reset`,
        { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) },
      );
    this.#close(error());
    this.#peer.#close(error());
  }

  /** Re-delivers what arrived while a host was black-holed and restarts sending. Called by the network. */
  unblock(): void {
    if (this.#closed) return;
    const held = this.#held.splice(0);
    for (const item of held) this.#arrive(item);
    this.#pump();
  }

  #blocked(): boolean {
    return this.#link.isBlocked(this.localAddress, this.remoteAddress);
  }

  #windowRoom(): number {
    return this.#link.receiveWindow - this.#inFlightBytes - this.#peer.#unreadBytes;
  }

  /** Takes up to `max` bytes from the head of the send queue. */
  #takeFromQueue(max: number): Uint8Array {
    const head = this.#sendQueue[0]!;
    let chunk = head;
    if (head.length <= max) {
      this.#sendQueue.shift();
    } else {
      chunk = head.slice(0, max);
      this.#sendQueue[0] = head.slice(max);
    }
    this.#queuedBytes -= chunk.length;
    return chunk;
  }

  /** Moves queued bytes onto the link as far as the window, the bandwidth and black holes allow. */
  #pump(): void {
    if (this.#closed || this.#corked || this.#blocked()) return;
    const bandwidth = this.#link.bandwidthBytesPerSecond;
    if (bandwidth === Number.POSITIVE_INFINITY) {
      while (this.#sendQueue.length > 0 && this.#windowRoom() > 0) {
        const chunk = this.#takeFromQueue(this.#windowRoom());
        this.#inFlightBytes += chunk.length;
        this.#sendItem({ kind: 'data', chunk });
      }
    } else if (this.#transmittingBytes === 0 && this.#sendQueue.length > 0 && this.#windowRoom() > 0) {
      const chunk = this.#takeFromQueue(Math.min(this.#windowRoom(), SLICE_BYTES));
      this.#transmittingBytes = chunk.length;
      this.#inFlightBytes += chunk.length;
      this.#link.clock.setTimer((chunk.length * 1000) / bandwidth, () => {
        this.#transmittingBytes = 0;
        if (this.#closed) return;
        this.#sendItem({ kind: 'data', chunk });
        this.#pump();
      });
      return;
    }
    if (this.#ending && !this.#finSent && this.#sendQueue.length === 0 && this.#transmittingBytes === 0) {
      this.#finSent = true;
      this.#sendItem({ kind: 'fin', abortive: false });
      this.#closeIfBothFinished();
    }
    this.#maybeDrain();
  }

  #sendItem(item: WireItem): void {
    const receiver = this.#peer;
    this.#link.clock.setTimer(this.#link.latencyMs, () => receiver.#arrive(item));
  }

  #arrive(item: WireItem): void {
    if (item.kind === 'data') this.#peer.#inFlightBytes -= item.chunk.length;
    if (this.#closed) {
      this.#peer.#pump();
      return;
    }
    if (this.#blocked()) {
      if (item.kind === 'data') this.#peer.#inFlightBytes += item.chunk.length;
      this.#held.push(item);
      return;
    }
    if (item.kind === 'data') {
      this.#unread.push(item.chunk);
      this.#unreadBytes += item.chunk.length;
    } else {
      this.#finReceived = { abortive: item.abortive };
    }
    this.#deliver();
  }

  #scheduleDelivery(): void {
    if (this.#deliveryScheduled) return;
    this.#deliveryScheduled = true;
    this.#link.clock.setTimer(0, () => {
      this.#deliveryScheduled = false;
      this.#deliver();
      this.#notifyCloseIfDue();
    });
  }

  #deliver(): void {
    if (this.#closed || this.#handlers === undefined) return;
    let delivered = false;
    while (!this.#paused && !this.#closed && this.#unread.length > 0) {
      const chunk = this.#unread.shift()!;
      this.#unreadBytes -= chunk.length;
      this.bytesReceived += chunk.length;
      delivered = true;
      if (this.#link.reuseReadBuffers) this.#deliverInReadBuffer(chunk);
      else this.#handlers.data(chunk);
    }
    if (delivered) this.#peer.#pump();
    if (this.#closed || this.#unread.length > 0 || this.#finReceived === undefined) return;
    if (this.#finReceived.abortive) {
      this.#close(undefined);
    } else if (!this.#ending) {
      // Like Node without allowHalfOpen: the peer's end makes this side end too.
      this.end();
    } else {
      this.#closeIfBothFinished();
    }
  }

  #deliverInReadBuffer(chunk: Uint8Array): void {
    if (this.#readBuffer.length < chunk.length) this.#readBuffer = new Uint8Array(chunk.length);
    const view = this.#readBuffer.subarray(0, chunk.length);
    view.set(chunk);
    this.#handlers!.data(view);
    view.fill(SCRIBBLE_BYTE);
  }

  #closeIfBothFinished(): void {
    if (this.#finSent && this.#finReceived !== undefined && this.#unread.length === 0) this.#close(undefined);
  }

  #maybeDrain(): void {
    if (!this.#needDrain || this.bufferedAmount > 0 || this.#drainScheduled) return;
    this.#drainScheduled = true;
    this.#link.clock.setTimer(0, () => {
      this.#drainScheduled = false;
      if (this.#closed || !this.#needDrain) return;
      this.#needDrain = false;
      this.#handlers?.drain();
    });
  }

  #close(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#sendQueue.length = 0;
    this.#queuedBytes = 0;
    this.#unread.length = 0;
    this.#unreadBytes = 0;
    this.#held.length = 0;
    this.#link.onClosed(this);
    this.#link.clock.setTimer(0, () => this.#notifyCloseIfDue());
  }

  #notifyCloseIfDue(): void {
    if (!this.#closed || this.#closeNotified || this.#handlers === undefined) return;
    this.#closeNotified = true;
    this.#handlers.close(this.#closeError);
  }
}
