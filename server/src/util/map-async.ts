/**
 * `source` with `map` applied to each item. Unlike an async generator, the source's iterator is
 * taken when this one is, so closing this one before its first `next()` closes the source too
 * (a stream's cleanup — a lease, a connection — then runs whoever stops reading).
 */
export function mapAsync<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncIterable<U> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<U> {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<U>> {
          const step = await inner.next();
          return step.done ? { done: true, value: undefined } : { done: false, value: map(step.value) };
        },
        async return(value?: unknown): Promise<IteratorResult<U>> {
          await inner.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}
