/**
 * Answers one SELECT over model tables: prepare the parse tree (inline wrapper levels, top-N joins
 * as filters, IN subqueries answered first — through this same function), plan the semantic
 * queries and the residual step, run them.
 */
import type { RequestContext, SemanticEngine } from '../../../engine/engine-types.ts';
import type { ModelTable } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import type { FoldedList } from './fold-literal-lists.ts';
import { planModelQuery } from './plan-model-query.ts';
import { prepareModelSelect } from './prepare-model-select.ts';
import { runModelQuery, type TypedResult } from './run-model-query.ts';
import type { AstNode } from './walk-ast.ts';

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

export async function answerModelSelect(statement: ModelSelect, params: readonly ParamValue[], deps: ModelSelectDeps, ctx: RequestContext): Promise<TypedResult> {
  const runSubselect = (select: AstNode): Promise<TypedResult> => answerModelSelect({ ...statement, select }, params, deps, ctx);
  const select = await prepareModelSelect(statement.select, deps.findTable, runSubselect);
  const plan = planModelQuery(statement.text, select, params, deps.findTable, { maxScanRows: deps.maxScanRows, lists: statement.lists });
  return runModelQuery(plan, deps.engine, ctx);
}
