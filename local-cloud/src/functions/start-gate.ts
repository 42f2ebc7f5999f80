/**
 * Bounds how many function instances load at the same time, across every function. Loading a
 * bundle and the SDK is CPU work: sixteen loads at once on two cores each take sixteen times
 * as long, so none is ready in time, while two at a time are each ready in a few hundred ms.
 */
export class StartGate {
  private running = 0;
  private readonly queue: Array<{ start: (release: () => void) => void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the start limit must be a positive integer, not ${limit}`);
  }

  /**
   * Runs `start` once a slot is free, in the order asked. `start` receives the function that
   * frees the slot (calling it again does nothing) and must not throw. Returns a cancel function for a request
   * still waiting; it does nothing once `start` has run.
   */
  request(start: (release: () => void) => void): () => void {
    const entry = { start };
    this.queue.push(entry);
    this.drain();
    return () => {
      const index = this.queue.indexOf(entry);
      if (index >= 0) this.queue.splice(index, 1);
    };
  }

  /** Loads running now, for tests and the log. */
  get active(): number {
    return this.running;
  }

  private drain(): void {
    while (this.running < this.limit && this.queue.length > 0) {
      const entry = this.queue.shift();
      if (!entry) return;
      this.running += 1;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.running -= 1;
        // A start that releases synchronously must not recurse through the whole queue.
        queueMicrotask(() => this.drain());
      };
      entry.start(release);
    }
  }
}
