/**
 * A first-in-first-out lock for one database connection (issue 18): an asynchronous write
 * transaction holds it across its awaits, so no other request's statements run on the shared
 * connection inside that transaction. `tryAcquire` is the free, synchronous fast path (no
 * promise, no queue) that keeps an uncontended synchronous callback as cheap as before.
 */
export class AsyncLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  /** True while someone holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock at once when it is free (and nobody queues); false otherwise. */
  tryAcquire(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  /** Resolves once the lock is ours, after everyone queued before. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the lock to the next in the queue, or frees it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  /** Runs `work` holding the lock; releases it however `work` ends. */
  async run<T>(work: () => T | PromiseLike<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
