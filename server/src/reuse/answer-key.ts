/**
 * The one answer key of every reuse layer: what an answer depends on, as text. Parts:
 * - the model version (a recompiled model answers anew);
 * - the security context (it feeds row filters and SQL parameters), serialized once per context
 *   object, object keys sorted so equal contexts give equal text;
 * - freshness values: "now" to the second for what the compile stages keep (relative date ranges
 *   snap to whole seconds or coarser), the refresh-key values (freshness.ts) or rollup table
 *   versions for the answers the result cache keeps;
 * - the query: the rewritten Cube query (after the `queryRewrite` hook, `renewQuery` left out: it
 *   asks for a fresh answer, not a different one), or the SQL and parameters it was lowered to.
 * Each part is JSON (no raw line breaks) except the model version (a hash), so the key is
 * unambiguous. The query is serialized once per key; nothing is hashed (a Map hashes the text).
 */
import { stableStringify } from '../util/stable-hash.ts';

export interface AnswerKeyParts {
  readonly modelVersion: string;
  readonly securityContext: unknown;
  /** The values the answer is fresh under, in a fixed order. */
  readonly freshness: readonly string[];
  /** The rewritten Cube query, or `[sql, params, …]` of what it was lowered to. */
  readonly query: unknown;
  /** `query` as JSON when the caller has it already (`keptJson`), so it is not serialized again. */
  readonly queryText?: string;
}

export function answerKey(parts: AnswerKeyParts): string {
  return `${parts.modelVersion}\n${securityKey(parts.securityContext)}\n${JSON.stringify(parts.freshness)}\n${parts.queryText ?? JSON.stringify(parts.query)}`;
}

const keptTexts = new WeakMap<object, string>();

/**
 * An object's JSON, computed once per object: a Cube query (the API's coalescing key,
 * continue-wait.ts, and the rewrite stage's answer key read the same query), its lowered SQL (the
 * result cache's key) and an answer's echo and annotation maps (the REST serializer) are each
 * serialized once however many requests share them. Such objects are never changed once made.
 */
export function keptJson(value: object): string {
  let text = keptTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    keptTexts.set(value, text);
  }
  return text;
}

/** The freshness value of what the compile stages keep: "now" to the second. */
export function secondOf(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

const serialized = new WeakMap<object, string>();

/**
 * A security context as key text (object keys sorted), computed once per context object: a
 * request's REST/GraphQL coalescing key, compile key and result-cache keys all reuse it.
 */
export function securityKey(securityContext: unknown): string {
  if (securityContext === null || typeof securityContext !== 'object') return stableStringify(securityContext);
  let text = serialized.get(securityContext);
  if (text === undefined) {
    text = stableStringify(securityContext);
    serialized.set(securityContext, text);
  }
  return text;
}
