/**
 * The rule of issue 10 for an aggregate over a measure column: a BI query gets the measure's own
 * value at the visual's grain (what `MEASURE()` answers with the same filter) or a refusal whose
 * message names the measure; additive measures under `sum` always answer; an internal error
 * (XX000) and a different number are failures. `judgeVisual` applies it to one answer.
 */
import { sameValue, type Outcome } from './bi-sql-client.ts';

export type Verdict = 'answered' | 'refused' | 'wrong' | 'internal' | 'refusedUnnamed' | 'refusedAdditive';

/** The verdict, whether it passes, and a one-line detail for the report. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly pass: boolean;
  readonly detail: string;
}

/** What the answer must equal: rows of [grain value | '(total)', MEASURE value]. */
export interface Expected {
  readonly rows: ReadonlyMap<string, unknown>;
  /** Top N: the answer is N of `rows` that rank first by value (ties allowed either way). */
  readonly topN?: number;
}

/** Whether `message` names `measure` as a whole word (pedidos, not pedidos_recorrentes). */
export function namesMeasure(message: string, measure: string): boolean {
  return new RegExp(`(^|[^a-z0-9_])${measure}([^a-z0-9_]|$)`, 'i').test(message);
}

export function judgeVisual(outcome: Outcome, expected: Expected, measure: string, mustAnswer: boolean): Judgement {
  if (!outcome.ok) {
    const detail = `${outcome.code} ${outcome.message}`;
    if (outcome.code === 'XX000') return { verdict: 'internal', pass: false, detail };
    if (mustAnswer) return { verdict: 'refusedAdditive', pass: false, detail };
    if (!namesMeasure(outcome.message, measure)) return { verdict: 'refusedUnnamed', pass: false, detail };
    return { verdict: 'refused', pass: true, detail };
  }
  const got = new Map(outcome.rows.map((r) => (r.length === 1 ? ['(total)', r[0]] : [String(r[0] ?? 'NULL'), r[1]]) as [string, unknown]));
  const problem = expected.topN === undefined ? compareAll(got, expected.rows) : compareTopN(got, expected.rows, expected.topN);
  return problem ? { verdict: 'wrong', pass: false, detail: problem } : { verdict: 'answered', pass: true, detail: '' };
}

function compareAll(got: ReadonlyMap<string, unknown>, want: ReadonlyMap<string, unknown>): string | undefined {
  for (const [key, value] of want) {
    if (!got.has(key)) return `missing ${key} (MEASURE ${String(value)})`;
    if (!sameValue(got.get(key), value)) return `${key}: got ${String(got.get(key))}, MEASURE ${String(value)}`;
  }
  for (const key of got.keys()) if (!want.has(key)) return `extra group ${key} = ${String(got.get(key))}`;
  return undefined;
}

function compareTopN(got: ReadonlyMap<string, unknown>, want: ReadonlyMap<string, unknown>, n: number): string | undefined {
  const ranked = [...want.entries()].filter(([, v]) => v !== null && v !== undefined).sort((a, b) => Number(b[1]) - Number(a[1]));
  const size = Math.min(n, ranked.length);
  if (got.size !== size) return `expected ${size} groups (top ${n}), got ${got.size}: ${[...got].map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
  for (const [key, value] of got) {
    if (!want.has(key)) return `extra group ${key} = ${String(value)}`;
    if (!sameValue(value, want.get(key))) return `${key}: got ${String(value)}, MEASURE ${String(want.get(key))}`;
  }
  const cutoff = Number(ranked[size - 1]![1]);
  const outside = ranked.filter(([k]) => !got.has(k));
  const better = outside.find(([, v]) => Number(v) > cutoff + 1e-9 * Math.max(1, Math.abs(cutoff)));
  const weakest = Math.min(...[...got.values()].map(Number));
  if (better || weakest < cutoff - 1e-9 * Math.max(1, Math.abs(cutoff))) return `not the top ${n} by MEASURE: got ${[...got.keys()].join(', ')}; ranking ${ranked.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
  return undefined;
}
