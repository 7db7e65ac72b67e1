/**
 * Lets storage operations run side by side, except a few that must run alone (moving bytes between the part file
 * and the real files): such an operation waits for the ones in flight, and new ones wait for it.
 */
export class IoGate {
  readonly #inFlight = new Set<Promise<unknown>>();
  #exclusive: Promise<void> | undefined;

  /** Runs `operation` now, or after the exclusive operation queued before it. */
  shared<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#exclusive) return this.#exclusive.then(() => this.shared(operation));
    const running = operation();
    this.#inFlight.add(running);
    const done = () => this.#inFlight.delete(running);
    running.then(done, done);
    return running;
  }

  /** Runs `operation` alone: after every operation started before it, before any started after it. */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const previous = this.#exclusive ?? Promise.resolve();
    const run = previous.then(async () => {
      await Promise.allSettled([...this.#inFlight]);
      return operation();
    });
    const settled = run.then(
      () => {},
      () => {},
    );
    this.#exclusive = settled;
    void settled.then(() => {
      if (this.#exclusive === settled) this.#exclusive = undefined;
    });
    return run;
  }
}
