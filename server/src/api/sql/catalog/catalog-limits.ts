/**
 * The bounds of a catalog database (one PGlite in a worker thread) and where a deployment sets them:
 * - CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT (default 5 s), capped by the SQL API's statement
 *   timeout (CUBEJS_SQL_API_STATEMENT_TIMEOUT, also the sandbox's, see `sandbox-options.ts`): how
 *   long one catalog statement may run once it has the database. Lower than the sandbox's by
 *   default because the catalog runs one statement at a time for every connection: a runaway
 *   (a product of pg_attribute with itself) holds every other client's catalog queries until it
 *   is stopped, while the catalog queries clients send answer in milliseconds;
 * - CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: how far PGlite's WASM memory may grow (past it, 53200);
 *   a quarter of it bounds one answer's size (53200) and another the temporary files one
 *   statement may write (sorts and hashes spilled, held in memory by PGlite: 53400).
 *
 * PGlite cannot stop a running statement itself (Postgres' statement_timeout never fires inside
 * its single-threaded WASM), so these bounds are enforced around it: see `shared-catalog-database.ts`.
 */
import { UserError } from '../../../errors/user-error.ts';
import { durationMs, memoryBytes, readStatementTimeoutMs } from '../sandbox/sandbox-options.ts';

export interface CatalogLimits {
  /** Milliseconds one statement may run before it is stopped with 57014. */
  readonly timeoutMs: number;
  /** Bytes of PGlite's memory; a quarter of it bounds one answer, another its temporary files. */
  readonly memoryBytes: number;
}

/**
 * 512 MB: a catalog PGlite uses about 200 MB once started (its initial 128 MB and the catalog's
 * pages), so statements have about 300 MB of working memory; client catalog queries use a few.
 */
export const DEFAULT_CATALOG_MEMORY_BYTES = 512e6;
/** How long a catalog statement may run when CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT is not set. */
export const DEFAULT_CATALOG_TIMEOUT_MS = 5000;
/** Below this PGlite does not start (it reserves 128 MB before anything else). */
const MIN_CATALOG_MEMORY_BYTES = 256e6;

type Env = Readonly<Record<string, string | undefined>>;

/** The catalog's bounds from the environment; a malformed value is a CONFIG_INVALID error naming the variable. */
export function readCatalogLimits(env: Env): CatalogLimits {
  const raw = env.CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT?.trim();
  const bytes = raw ? memoryBytes(raw) : DEFAULT_CATALOG_MEMORY_BYTES;
  if (bytes === undefined || bytes < MIN_CATALOG_MEMORY_BYTES) {
    throw new UserError('CONFIG_INVALID', `CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT=${JSON.stringify(raw)} is not a memory size of at least 256MB: write e.g. 512MB or 1GiB`);
  }
  const own = env.CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT?.trim();
  const timeoutMs = Math.min(readStatementTimeoutMs(env), own ? durationMs('CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT', own) : DEFAULT_CATALOG_TIMEOUT_MS);
  return { timeoutMs, memoryBytes: bytes };
}
