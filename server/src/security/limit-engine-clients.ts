/**
 * Per-client limits for APIs that call the engine without HTTP in front (the Postgres-wire SQL
 * API): every query (`load`, `stream`, `sql`, `dryRun`) is admitted by the limiter for the caller's identity
 * (the security context `checkSqlAuth` returned) and released when it settles. `meta`, visible members and
 * the model are not limited: they run no query. The refusal is a UserError the SQL API sends as an
 * ErrorResponse with SQLSTATE 53400.
 */
import type { RequestContext, SemanticEngine } from '../engine/engine-types.ts';
import type { ClientLimiter } from './client-limiter.ts';
import { clientIdentity } from './client-identity.ts';
import { withCleanup } from '../util/with-cleanup.ts';

export function limitEngineClients(engine: SemanticEngine, limiter: ClientLimiter): SemanticEngine {
  if (!limiter.enabled) return engine;
  const admitted = async <T>(ctx: RequestContext, run: () => Promise<T>): Promise<T> => {
    const release = limiter.admit(clientIdentity(ctx.securityContext) ?? `${ctx.api}:anonymous`);
    try {
      return await run();
    } finally {
      release();
    }
  };
  const admittedStream: NonNullable<SemanticEngine['stream']> = async (query, ctx) => {
    const release = limiter.admit(clientIdentity(ctx.securityContext) ?? `${ctx.api}:anonymous`);
    try {
      const streamed = await engine.stream!(query, ctx);
      return { ...streamed, chunks: withCleanup(streamed.chunks, release) };
    } catch (error) {
      release();
      throw error;
    }
  };
  return {
    ...engine,
    load: (query, ctx) => admitted(ctx, () => engine.load(query, ctx)),
    sql: (query, ctx) => admitted(ctx, () => engine.sql(query, ctx)),
    dryRun: (query, ctx) => admitted(ctx, () => engine.dryRun(query, ctx)),
    // A stream keeps its admission until the caller has read it or let it go.
    ...(engine.stream ? { stream: (query, ctx) => admittedStream(query, ctx) } : {}),
    meta: (ctx, options) => engine.meta(ctx, options),
    visibleMembers: (ctx, model) => engine.visibleMembers(ctx, model),
    currentModel: () => engine.currentModel(),
  };
}
