/**
 * The session's `statement_timeout` (SET statement_timeout = '2s'): a catalog or model statement
 * of this connection runs at most that long, and at most the server's own cap
 * (CUBEJS_SQL_API_STATEMENT_TIMEOUT, enforced by the catalog and the sandbox themselves), so the
 * bound in effect is the smaller of the two; 0 (Postgres' default) leaves only the cap.
 *
 * A model statement is bounded through its AbortSignal, the one a CancelRequest trips (the sandbox
 * interrupts DuckDB, the engine stops its source query); a catalog statement hands the bound to
 * the catalog (`sessionTimeoutMs`), which counts it from when the statement has the database, as
 * it counts its own cap (waiting behind another connection's statement is not this one's time).
 * Either way the statement fails with 57014 "canceling statement due to statement timeout".
 */
import type { RequestContext } from '../../../engine/engine-types.ts';
import { UserError } from '../../../errors/user-error.ts';
import type { SessionState } from './session-state.ts';
import { SqlStateError } from './sql-state-error.ts';

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
/** Postgres' largest statement_timeout (INT_MAX milliseconds). */
const MAX_MS = 2_147_483_647;

/**
 * Milliseconds of a statement_timeout value as Postgres reads it: a number of milliseconds, or a
 * number with a unit (us, ms, s, min, h, d); 0 is "no session bound". Throws 22023 otherwise.
 */
export function statementTimeoutMs(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(ms) || ms > MAX_MS) {
    throw new SqlStateError('22023', `invalid value for parameter "statement_timeout": "${value}"`);
  }
  // Postgres rounds a fraction of a millisecond to the nearest one (0.4ms is 0, no bound).
  return Math.round(ms);
}

/** The session's bound in milliseconds, or undefined when it sets none (0). */
export function sessionTimeoutMs(session: SessionState): number | undefined {
  const ms = statementTimeoutMs(session.settings.get('statement_timeout') ?? '0');
  return ms > 0 ? ms : undefined;
}

/**
 * Runs `work` with a context whose signal is also tripped once the session's statement_timeout
 * passes; the statement then fails with 57014 (statement timeout) even if `work` is still waiting.
 * Without a session bound `work` gets `ctx` unchanged.
 */
export async function withStatementTimeout<T>(session: SessionState, ctx: RequestContext, work: (ctx: RequestContext) => Promise<T>): Promise<T> {
  const ms = sessionTimeoutMs(session);
  if (ms === undefined) return work(ctx);
  const controller = new AbortController();
  const timedOut = (): UserError =>
    new UserError('QUERY_TIMEOUT', 'canceling statement due to statement timeout', { hint: `this session's statement_timeout is ${ms} ms` });
  const onCancel = (): void => controller.abort(ctx.signal?.reason);
  if (ctx.signal?.aborted) onCancel();
  ctx.signal?.addEventListener('abort', onCancel, { once: true });
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      fired = !controller.signal.aborted;
      controller.abort(timedOut());
      if (fired) reject(timedOut());
    }, ms);
  });
  deadline.catch(() => undefined);
  try {
    return await Promise.race([work({ ...ctx, signal: controller.signal }), deadline]);
  } catch (error) {
    throw fired ? timedOut() : error;
  } finally {
    // The cancel stays linked: a streamed result goes on reading with this signal after return.
    clearTimeout(timer);
  }
}
