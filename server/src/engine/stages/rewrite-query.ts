/**
 * Stage 1, rewrite: Cube's `queryRewrite(query, { securityContext })` hook (row-level rules
 * written in cube.config.ts), the model of the caller's app, and the instant "now" the request
 * is answered at. Everything after it is keyed by what this returns.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';
import type { SecurityContext } from '../engine-types.ts';
import { answerKey, keptJson, secondOf } from '../../reuse/answer-key.ts';

/** What the rewrite stage reads: the hook, the model per security context, the clock. */
export interface RewriteSetup {
  readonly queryRewrite?: (query: CubeQuery, context: { securityContext: SecurityContext }) => CubeQuery | Promise<CubeQuery>;
  readonly modelFor: (securityContext: SecurityContext) => SemanticModel | Promise<SemanticModel>;
  readonly now: () => Date;
}

/** A request after the security hook: the query the later stages see, and what it is keyed by. */
export interface RewrittenRequest {
  readonly query: CubeQuery;
  readonly model: SemanticModel;
  readonly at: Date;
  /**
   * The request's answer key (reuse/answer-key.ts: model version, "now" to the second, security
   * context, rewritten query without `renewQuery`): what the compile stages and the answer memo keep.
   */
  readonly key: string;
}

export async function rewriteQuery(query: CubeQuery, securityContext: SecurityContext, setup: RewriteSetup): Promise<RewrittenRequest> {
  // The hook gets its own copy: Cube's hooks often edit the query in place, and the caller's
  // query may be shared (REST keeps checked queries per query text, frozen).
  const rewritten = setup.queryRewrite ? await setup.queryRewrite(structuredClone(query), { securityContext }) : query;
  const model = await setup.modelFor(securityContext);
  const at = setup.now();
  // renewQuery asks for a fresh answer to the same query: it is not part of the key.
  const keyed = rewritten.renewQuery === undefined ? rewritten : { ...rewritten, renewQuery: undefined };
  return { query: rewritten, model, at, key: answerKey({ modelVersion: model.version, securityContext, freshness: [secondOf(at)], query: keyed, queryText: keptJson(keyed) }) };
}
