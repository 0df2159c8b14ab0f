/**
 * Serializes the writers of the streaming tables (consumer commits and micro-batches) in this
 * process, and hands out strictly increasing `_ingested_at` stamps inside the lock. Because a later
 * commit always carries a later stamp, the micro-batch runner can use `max(_ingested_at)` as its
 * watermark without ever skipping a batch committed late.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  private lastStampMs = 0;

  /** Runs `work` after every earlier holder finished; `stampMs` is this holder's ingestion time. */
  run<T>(work: (stampMs: number) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => {
      this.lastStampMs = Math.max(Date.now(), this.lastStampMs + 1);
      return work(this.lastStampMs);
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
