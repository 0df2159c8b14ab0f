/**
 * The verdict of a pure check on a request's exact text, kept per text: a dashboard repeats the
 * same few requests, and reading them (query-string or JSON parsing) plus the query schema's check
 * is a sizeable part of a cache hit's cost. REST keys it by the whole parameter text as sent (the
 * `?…` of a GET, the body bytes of a POST), so a repeat skips the query-string parser, the schema
 * and the blending checks. The check must depend on nothing but the text (the schema does not
 * read the caller or the model), which is why neither is part of the key; whatever does depend
 * on them is keyed downstream (reuse/answer-key.ts). Only accepted texts are kept (a refused
 * text is checked, and refused, again each time, so its error is the check's own); kept values
 * are frozen, since every request with that text shares them (and the answer key's per-object
 * serialization with them). Bounded: at most `MAX_ENTRIES` texts of at most `MAX_TEXT_LENGTH`
 * characters each.
 */
import { BoundedStore } from './bounded-store.ts';

const MAX_ENTRIES = 1_000;
/** Longer texts are checked every time (bounds the store at ~16 MB of keys). */
const MAX_TEXT_LENGTH = 16_384;

export class CheckedTexts<T extends object> {
  private readonly store = new BoundedStore<T>({ maxEntries: MAX_ENTRIES });

  /** The checked value of `text`: the kept one, else `check()`'s (kept, frozen, when it does not throw). */
  get(text: string, check: () => T): T {
    if (text.length > MAX_TEXT_LENGTH) return check();
    const known = this.store.get(text);
    if (known) return known;
    const checked = deepFreeze(check());
    this.store.set(text, checked);
    return checked;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
