/**
 * An interruptible pause: `wait(ms)` resolves after `ms`, or at once with `true` when `wake()` is
 * called meanwhile (or was called since the previous wait), or with `false` when `signal` aborts.
 * The consumer waits on it between idle polls; the in-process producer wakes it after a put, so an
 * idle stream can be polled rarely without delaying the records that do arrive.
 */
export class WakeSignal {
  private pending = false;
  private wakeUp?: () => void;

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wakeUp = undefined;
        this.pending = false;
        resolve(woken);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wakeUp = () => done(true);
    });
  }
}
