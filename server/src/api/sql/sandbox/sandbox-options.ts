/**
 * The sandbox's bounds and where a deployment sets them:
 * - CUBEJS_SQL_API_STATEMENT_TIMEOUT (or its earlier name CUBEJS_SQL_API_SANDBOX_TIMEOUT): how long
 *   one residual evaluation (loading the semantic results, running the SQL, reading its result) may
 *   take; Cube-style duration ("30s", "2m", or seconds). Catalog statements honour it too.
 * - CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT: DuckDB's working memory ("512MB", "1GiB"); the result
 *   handed back is bounded by the same figure (its estimated size).
 * The semantic queries themselves are bounded by CUBEJS_DB_QUERY_TIMEOUT, as in REST.
 */
import { UserError } from '../../../errors/user-error.ts';

export interface SandboxOptions {
  /** Milliseconds one evaluation may take before it is interrupted (57014). */
  readonly timeoutMs: number;
  /** DuckDB `memory_limit` syntax, e.g. "512MB"; also the bound of the result's estimated size. */
  readonly memoryLimit: string;
  /** Evaluations running at once; others wait (their timeout runs while they wait). */
  readonly maxConcurrent: number;
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = { timeoutMs: 30_000, memoryLimit: '512MB', maxConcurrent: 2 };

type Env = Readonly<Record<string, string | undefined>>;

export function readSandboxOptions(env: Env): SandboxOptions {
  const memory = env.CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT?.trim();
  return {
    ...DEFAULT_SANDBOX_OPTIONS,
    timeoutMs: readStatementTimeoutMs(env),
    ...(memory ? { memoryLimit: checkedMemory('CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT', memory) } : {}),
  };
}

/**
 * The SQL API's statement timeout in ms: CUBEJS_SQL_API_STATEMENT_TIMEOUT, else
 * CUBEJS_SQL_API_SANDBOX_TIMEOUT (its earlier name, kept working), else 30 s. One figure bounds
 * both the sandbox's evaluation and a catalog statement's run.
 */
export function readStatementTimeoutMs(env: Env): number {
  for (const name of ['CUBEJS_SQL_API_STATEMENT_TIMEOUT', 'CUBEJS_SQL_API_SANDBOX_TIMEOUT']) {
    const raw = env[name]?.trim();
    if (raw) return durationMs(name, raw);
  }
  return DEFAULT_SANDBOX_OPTIONS.timeoutMs;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Cube-style duration set in `name` ("30s", "2m", "500ms", or seconds); CONFIG_INVALID naming it otherwise. */
export function durationMs(name: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw);
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 's').toLowerCase()]!) : 0;
  if (ms <= 0) throw new UserError('CONFIG_INVALID', `${name}=${JSON.stringify(raw)} is not a duration longer than 0: write e.g. 30s, 2m or a number of seconds`);
  return ms;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * Bytes of a DuckDB memory size ("512MB" is 512·10⁶ bytes, "512MiB" 512·2²⁰); undefined when
 * malformed. The unit is required, as DuckDB requires it.
 */
export function memoryBytes(size: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)$/i.exec(size.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!);
  return bytes > 0 ? bytes : undefined;
}

function checkedMemory(name: string, raw: string): string {
  const bytes = memoryBytes(raw);
  // DuckDB needs a few MB of its own to run anything at all.
  if (bytes === undefined || bytes < 16e6) throw new UserError('CONFIG_INVALID', `${name}=${JSON.stringify(raw)} is not a memory size of at least 16MB: write e.g. 512MB or 2GiB`);
  return raw.replace(/\s+/g, '');
}
