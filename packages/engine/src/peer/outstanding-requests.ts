/**
 * The requests we have in flight to one peer, keyed by (piece, block), with the time each was sent. The
 * pipeline depth decision lives in requests/; this only keeps the books.
 */

export interface OutstandingRequest {
  readonly piece: number;
  readonly block: number;
  readonly begin: number;
  readonly length: number;
  readonly sentAt: number;
}

/** Up to 1024 blocks per piece (16 MiB / 16 KiB), so piece * 1024 + block is a unique, safe integer key. */
const requestKey = (piece: number, block: number): number => piece * 1024 + block;

export class OutstandingRequests {
  private readonly byKey = new Map<number, OutstandingRequest>();

  get size(): number {
    return this.byKey.size;
  }

  add(request: OutstandingRequest): void {
    this.byKey.set(requestKey(request.piece, request.block), request);
  }

  has(piece: number, block: number): boolean {
    return this.byKey.has(requestKey(piece, block));
  }

  get(piece: number, block: number): OutstandingRequest | undefined {
    return this.byKey.get(requestKey(piece, block));
  }

  delete(piece: number, block: number): boolean {
    return this.byKey.delete(requestKey(piece, block));
  }

  /** Removes and returns every request (choke, disconnect, snub). */
  drain(): OutstandingRequest[] {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    return all;
  }

  values(): IterableIterator<OutstandingRequest> {
    return this.byKey.values();
  }
}
