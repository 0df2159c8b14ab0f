/**
 * Answers one SELECT over model tables: prepare the parse tree (inline wrapper levels, top-N joins
 * as filters, IN subqueries answered first — through this same function), plan the semantic
 * queries and the residual step, run them.
 */
import type { RequestContext, SemanticEngine } from '../../../engine/engine-types.ts';
import type { ModelTable } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { checkSelectInput } from './check-select-input.ts';
import type { FoldedList } from './fold-literal-lists.ts';
import { planModelQuery, type ModelQueryPlan } from './plan-model-query.ts';
import { prepareModelSelect } from './prepare-model-select.ts';
import { isStreamed, runModelQuery, type ModelResult, type TypedResult } from './run-model-query.ts';
import type { AstNode } from './walk-ast.ts';
import { BoundedStore } from '../../../reuse/bounded-store.ts';
import { StatementClock } from '../session/session-clock.ts';

/** What answering a model SELECT needs from the connection. */
export interface ModelSelectDeps {
  readonly engine: SemanticEngine;
  readonly findTable: (schema: string | undefined, name: string) => ModelTable | undefined;
  readonly maxScanRows: number;
}

/** The statement as classified: its text (for output names), parse tree and folded IN lists. */
export interface ModelSelect {
  readonly text: string;
  readonly select: AstNode;
  readonly lists: ReadonlyMap<string, FoldedList>;
}

/** `clock`: the statement's instant in the session's time zone (now(), current_date, 'today'). */
export async function answerModelSelect(statement: ModelSelect, params: readonly ParamValue[], deps: ModelSelectDeps, ctx: RequestContext, clock = new StatementClock('UTC')): Promise<ModelResult> {
  return runModelQuery(await planOf(statement, params, deps, ctx, clock, true), deps.engine, ctx);
}

/**
 * Plans are kept per model (its `findTable`) and statement text + parameters: BI tools send the
 * same statements again and again, and a repeated one then costs what REST costs. A plan is kept
 * only when it does not depend on data (no IN subquery or top-N keys were read to make it) nor on
 * the clock (now(), current_date, 'today' were bound into it).
 */
const PLAN_CACHE_SIZE = 500;
const plans = new WeakMap<ModelSelectDeps['findTable'], BoundedStore<ModelQueryPlan>>();

/** `whole`: the statement itself (cached); otherwise one of its subqueries, planned each time. */
async function planOf(statement: ModelSelect, params: readonly ParamValue[], deps: ModelSelectDeps, ctx: RequestContext, clock: StatementClock, whole: boolean): Promise<ModelQueryPlan> {
  let cache = plans.get(deps.findTable);
  if (!cache) {
    cache = new BoundedStore<ModelQueryPlan>({ maxEntries: PLAN_CACHE_SIZE });
    plans.set(deps.findTable, cache);
  }
  const key = `${deps.maxScanRows}\u0000${statement.text}\u0000${JSON.stringify(params)}`;
  const known = whole ? cache.get(key) : undefined;
  if (known) return known;
  if (whole) checkSelectInput(statement.select, params);
  let readData = false;
  const runSubselect = async (select: AstNode): Promise<TypedResult> => {
    readData = true;
    const sub = await planOf({ ...statement, select }, params, deps, ctx, clock, false);
    return collectResult(await runModelQuery(sub, deps.engine, ctx));
  };
  const select = await prepareModelSelect(statement.select, params, deps.findTable, runSubselect, clock);
  const plan = planModelQuery(select, params, deps.findTable, { maxScanRows: deps.maxScanRows, lists: statement.lists });
  if (whole && !readData && !clock.used) {
    cache.set(key, plan);
  }
  return plan;
}

/** A streamed result gathered into one (a subquery's keys, a cursor's rows). */
export async function collectResult(result: ModelResult): Promise<TypedResult> {
  if (!isStreamed(result)) return result;
  const data: unknown[][] = result.columns.map(() => []);
  let rowCount = 0;
  for await (const chunk of result.chunks) {
    data.forEach((column, c) => {
      const values = chunk.data[c] ?? [];
      for (let r = 0; r < chunk.rowCount; r++) column.push(values[r] ?? null);
    });
    rowCount += chunk.rowCount;
  }
  return { columns: result.columns, data, rowCount };
}
