/**
 * An async iterable that runs `cleanup` exactly once when its iteration ends: completed, thrown,
 * returned early, or returned before the first `next()`. An async generator's `finally` does not
 * run when the generator is closed before it started, so resources taken before iterating (a
 * rollup lease, an admission slot) must not be released there.
 */
export function withCleanup<T>(source: AsyncIterable<T>, cleanup: () => void): AsyncIterable<T> {
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    cleanup();
  };
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<T>> {
          try {
            const step = await inner.next();
            if (step.done) finish();
            return step;
          } catch (error) {
            finish();
            throw error;
          }
        },
        async return(value?: unknown): Promise<IteratorResult<T>> {
          try {
            await inner.return?.(value);
          } finally {
            finish();
          }
          return { done: true, value: undefined };
        },
      };
    },
  };
}
