/**
 * The verdict of the one query schema on a `?query=` text, kept per exact text: a dashboard
 * repeats the same few query strings, and JSON parsing plus the schema check is a sizeable part
 * of a cache hit's cost. Only accepted queries are kept (a refused text is checked, and refused,
 * again each time, so its error is the schema's own); the kept queries are frozen, since every
 * request with that text shares them (and the answer key's per-object serialization with them).
 * Bounded: at most `MAX_ENTRIES` texts of at most `MAX_TEXT_LENGTH` characters each.
 */
import { BoundedStore } from '../../reuse/bounded-store.ts';
import type { CubeQuery } from '../../query/query-types.ts';

/** A checked `query` parameter: one query, or a blending request's list. */
export interface CheckedQueries {
  readonly queries: readonly CubeQuery[];
  readonly blending: boolean;
}

const MAX_ENTRIES = 1_000;
/** Longer texts are checked every time (bounds the store at ~16 MB of keys). */
const MAX_TEXT_LENGTH = 16_384;

export class CheckedQueryTexts {
  private readonly store = new BoundedStore<CheckedQueries>({ maxEntries: MAX_ENTRIES });

  /** The checked queries of `text`: kept ones, else `check(text)`'s (kept when it does not throw). */
  get(text: string, check: (text: string) => CheckedQueries): CheckedQueries {
    if (text.length > MAX_TEXT_LENGTH) return check(text);
    const known = this.store.get(text);
    if (known) return known;
    const checked = deepFreeze(check(text));
    this.store.set(text, checked);
    return checked;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
