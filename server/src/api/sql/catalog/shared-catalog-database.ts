/**
 * One catalog database per model version, holding every table of the model, shared by all
 * callers whatever the access policies let them see. A caller who may not see everything gets a
 * scope whose DDL (`hide-members-sql.ts`) drops what is hidden inside a transaction that is never
 * committed: their statements see pg_catalog and information_schema exactly as if only their
 * tables and columns existed, with the same OIDs as everyone else's.
 *
 * Isolation between callers: a statement calling a function that runs SQL text, writes state or
 * reads files is refused before it is sent (`refused-catalog-function.ts`, 42501), and each unit
 * runs in a read-only transaction rolled back right after it (the scope's hiding transaction, made
 * read-only once its DDL ran, is rolled back to its savepoint), so no setting, large object or
 * other write of one statement reaches the next, whoever sends it.
 *
 * Units run one at a time under a lock (PGlite is one session). The hiding transaction is kept
 * open while consecutive units come from the same scope (`SAVEPOINT` restores it after an error)
 * and replaced when another scope comes; a statement that may read the transaction's clock
 * (`now()`, `current_timestamp`, …) gets a fresh one, so its time is the statement's own.
 * Hiding costs a few milliseconds per change of scope; a new set of visible members costs no
 * new database at all.
 *
 * PGlite runs in a worker thread (`pglite-thread.ts`). The first catalog of the process keeps a
 * tarball of its freshly initialized cluster (≈ 40 MB), from which later catalogs (hot reloads,
 * other servers in the process) start in ≈ 0.5 s instead of running initdb again.
 *
 * Bounds (`catalog-limits.ts`): PGlite cannot interrupt its own statement (statement_timeout
 * never fires inside its WASM), so a unit that runs past the statement timeout, or whose caller
 * cancels it, has its thread stopped: the statement fails with 57014 and a new thread starts at
 * once from the same tarball and DDL (same OIDs, so clients' cached OIDs stay right). Units queued
 * behind it were never sent, so they simply run on the new thread; the time they waited does not
 * count against their own timeout. A thread that stops on its own (out of memory, a WASM abort)
 * is replaced the same way.
 */
import { isUserError, UserError } from '../../../errors/user-error.ts';
import { PgliteThread } from './pglite-thread.ts';
import { readCatalogLimits, type CatalogLimits } from './catalog-limits.ts';
import {
  CatalogError,
  catalogSetupSql,
  describeMessage,
  executeMessage,
  readDescribeAnswer,
  readExecuteAnswer,
  type CatalogDatabase,
  type CatalogDescription,
  type CatalogResult,
  type CatalogSession,
} from './catalog-database.ts';
import type { ModelTable } from './model-tables.ts';
import { rewriteCatalogCompat } from './rewrite-catalog-compat.ts';
import { checkCatalogFunctions } from './refused-catalog-function.ts';
import { buildQuery, readErrorFields, splitBackendMessages, type BackendFrame } from '../wire/frontend-builders.ts';

/** What one caller sees: `hideSql` drops what they may not see (undefined: everything). */
export interface CatalogScope {
  /** Names the set of visible members (the same key for the same set). */
  readonly key: string;
  readonly hideSql?: string;
}

const SAVEPOINT = 'sqlapi_visible';
/** Catalog relations and views that show database names (information_schema's through current_database()). */
const NAMES_DATABASE = /\b(pg_database|information_schema|pg_stat_\w+|pg_stat_activity)\b/i;

const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The statement giving PGlite's database (`postgres`) the name the client connected with, for the
 * transaction it runs in (rolled back after the unit): `\l`, pgjdbc's getCatalogs and
 * information_schema's table_catalog then show the database the client is in, as Postgres does.
 * A name already taken (`template1`) is left alone.
 */
function renameDatabaseSql(database: string): string {
  const name = quoteLiteral(database);
  return `UPDATE pg_catalog.pg_database SET datname = ${name} WHERE datname = 'postgres' AND NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = ${name})`;
}

/** Functions whose answer is the transaction's start time (or derived from it). */
const TRANSACTION_CLOCK = /\b(now|current_timestamp|current_date|current_time|localtime|localtimestamp|transaction_timestamp)\b/i;

/** How a catalog database runs. */
export interface SharedCatalogOptions {
  /** Statement timeout and memory bound (default: those of an empty environment, 30 s and 512 MB). */
  readonly limits?: CatalogLimits;
  /** Told when a thread stops on its own or a new one cannot start (the catalog goes on trying). */
  readonly onError?: (error: Error) => void;
}

/** Why a running unit was stopped. */
type Stop = 'timeout' | 'cancel';

let initializedCluster: Uint8Array | undefined;

export class SharedCatalogDatabase {
  private queue: Promise<unknown> = Promise.resolve();
  /** Key of the scope whose hiding transaction is open, if any. */
  private hiding?: string;
  /** The thread units run on, or its start when it is being replaced. */
  private thread: Promise<PgliteThread>;
  private closed = false;
  private restartCount = 0;

  private constructor(
    first: PgliteThread,
    private readonly setupSql: string,
    private readonly limits: CatalogLimits,
    private readonly onError: (error: Error) => void,
  ) {
    this.thread = Promise.resolve(first);
  }

  /** Starts PGlite in a worker thread (0.5–3 s, off the event loop) and creates the model tables. */
  static async create(tables: Iterable<ModelTable>, options: SharedCatalogOptions = {}): Promise<SharedCatalogDatabase> {
    const setupSql = catalogSetupSql(tables);
    const limits = options.limits ?? readCatalogLimits({});
    let database: SharedCatalogDatabase | undefined;
    const onExit = (error: Error): void => database?.lost(first, error);
    const first = await PgliteThread.start(setupSql, { dataDir: initializedCluster, wantDataDir: !initializedCluster, memoryBytes: limits.memoryBytes, onExit });
    initializedCluster ??= first.dataDir;
    database = new SharedCatalogDatabase(first, setupSql, limits, options.onError ?? (() => undefined));
    return database;
  }

  /** Threads started to replace a stopped one since this catalog was created. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The catalog as seen by callers of one scope. */
  scoped(scope: CatalogScope): CatalogDatabase {
    return {
      execute: (sql, paramTypes, params, paramFormats, resultFormats, signal, timeoutMs, session) => this.execute(scope, sql, paramTypes, params, paramFormats, resultFormats, signal, timeoutMs, session),
      describe: (sql, paramTypes, signal) => this.describe(scope, sql, paramTypes, signal),
    };
  }

  /** Runs one statement (older clients' names of renamed catalog columns answered, see rewrite-catalog-compat.ts). */
  async execute(scope: CatalogScope, sql: string, paramTypes: readonly number[], params: readonly (Buffer | null)[], paramFormats: readonly number[], resultFormats: readonly number[], signal?: AbortSignal, timeoutMs?: number, session?: CatalogSession): Promise<CatalogResult> {
    const text = rewriteCatalogCompat(sql);
    checkCatalogFunctions(text);
    return readExecuteAnswer(await this.run(scope, text, executeMessage(text, paramTypes, params, paramFormats, resultFormats), signal, timeoutMs, session));
  }

  async describe(scope: CatalogScope, sql: string, paramTypes: readonly number[], signal?: AbortSignal): Promise<CatalogDescription> {
    const text = rewriteCatalogCompat(sql);
    checkCatalogFunctions(text);
    return readDescribeAnswer(await this.run(scope, text, describeMessage(text, paramTypes), signal));
  }

  /** Stops the thread now: a unit running fails, queued ones fail without running. */
  async close(): Promise<void> {
    this.closed = true;
    await (await this.thread.catch(() => undefined))?.close();
  }

  /**
   * Runs one unit in the scope's view of the catalog and returns PGlite's answer. A cancel while
   * the unit waits for its turn ends it at once; one while it runs, or the timeout, stops the thread.
   */
  private run(scope: CatalogScope, sql: string, message: Buffer, signal?: AbortSignal, sessionTimeoutMs?: number, session?: CatalogSession): Promise<BackendFrame[]> {
    const timeoutMs = Math.min(this.limits.timeoutMs, sessionTimeoutMs ?? Number.POSITIVE_INFINITY);
    if (signal?.aborted) return Promise.reject(stopError('cancel', this.limits));
    const unit = this.locked(async () => {
      if (signal?.aborted) throw stopError('cancel', this.limits);
      const thread = await this.current();
      return this.watched(thread, signal, timeoutMs, async () => {
        const hidden = scope.hideSql !== undefined;
        const renamed = session && session.database !== 'postgres' && (hidden || NAMES_DATABASE.test(sql)) ? renameDatabaseSql(session.database) : undefined;
        await this.enter(thread, scope, TRANSACTION_CLOCK.test(sql), renamed);
        // One round trip: the unit inside a read-only transaction (or the scope's savepoint), then
        // its rollback, so nothing a statement sets or writes outlives it. The session's time
        // zone is set for the unit only (SET LOCAL ends with the transaction or the savepoint).
        const zone = session ? `SET LOCAL TimeZone = ${quoteLiteral(session.timeZone)}` : undefined;
        const begin = renamed ? `BEGIN READ WRITE; ${renamed}; SET TRANSACTION READ ONLY` : 'BEGIN READ ONLY';
        const before = hidden ? zone : [begin, zone].filter(Boolean).join('; ');
        const wrapped = Buffer.concat([...(before ? [buildQuery(before)] : []), message, buildQuery(hidden ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK')]);
        const all = splitBackendMessages(await thread.send(wrapped));
        const { unit, after } = unwrapUnit(all, before !== undefined);
        if (readyStatus(after) !== (hidden ? 'T' : 'I') || after.some((f) => f.type === 'E')) {
          // Nothing a read-only statement does ends a transaction; if it happened, its rows are not shown.
          this.hiding = undefined;
          await this.command(thread, 'ROLLBACK').catch(() => undefined);
          throw new Error(`the catalog's read-only transaction ended during a statement (status ${readyStatus(after) ?? 'none'})`);
        }
        return unit;
      });
    });
    return signal ? untilAborted(unit, signal, () => stopError('cancel', this.limits)) : unit;
  }

  /** Runs `work` on `thread`, stopping the thread if `timeoutMs` passes or `signal` is tripped first. */
  private async watched<T>(thread: PgliteThread, signal: AbortSignal | undefined, timeoutMs: number, work: () => Promise<T>): Promise<T> {
    let stopped: Stop | undefined;
    const halt = (why: Stop): void => {
      if (stopped) return;
      stopped = why;
      this.replace(thread, stopError(why, this.limits, timeoutMs));
    };
    const timer = setTimeout(() => halt('timeout'), timeoutMs);
    const onAbort = (): void => halt('cancel');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await work();
    } catch (error) {
      if (stopped) throw stopError(stopped, this.limits, timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The thread to run on: the current one, or a new one if the last start failed. */
  private current(): Promise<PgliteThread> {
    if (this.closed) return Promise.reject(new Error('the catalog database is closed'));
    this.thread = this.thread.catch(() => this.spawn());
    return this.thread;
  }

  /** Stops `thread` if it is still the current one and starts its replacement at once. */
  private replace(thread: PgliteThread, reason: Error): void {
    void this.thread.then((current) => {
      if (current !== thread || this.closed) return;
      this.hiding = undefined;
      this.thread = this.spawn();
      void thread.close(reason);
    }, () => undefined);
  }

  /** A thread that stopped on its own (out of memory, a WASM abort): report a crash, replace it. */
  private lost(thread: PgliteThread, error: Error): void {
    if (this.closed) return;
    // Running out of memory is the statement's error (53200), answered to its caller; not a crash.
    if (!isUserError(error)) this.onError(error);
    this.replace(thread, error);
  }

  private spawn(): Promise<PgliteThread> {
    this.restartCount++;
    let thread: PgliteThread | undefined;
    const started = PgliteThread.start(this.setupSql, { dataDir: initializedCluster, memoryBytes: this.limits.memoryBytes, onExit: (error) => thread && this.lost(thread, error) });
    void started.then(
      (t) => {
        thread = t;
        if (this.closed) void t.close();
      },
      (error: Error) => this.onError(error),
    );
    return started;
  }

  /** Makes the scope's hiding (or none) the one in effect; `renamed` is the session's database name change, made in the same transaction. */
  private async enter(thread: PgliteThread, scope: CatalogScope, fresh: boolean, renamed?: string): Promise<void> {
    const key = scope.hideSql ? `${scope.key}\u0000${renamed ?? ''}` : undefined;
    if (this.hiding === key && !(fresh && key !== undefined)) return;
    if (this.hiding !== undefined) {
      this.hiding = undefined;
      await this.command(thread, 'ROLLBACK');
    }
    if (key === undefined) return;
    try {
      await this.command(thread, `BEGIN READ WRITE; ${scope.hideSql}; ${renamed ? `${renamed}; ` : ''}SET TRANSACTION READ ONLY; SAVEPOINT ${SAVEPOINT}`);
    } catch (error) {
      await this.command(thread, 'ROLLBACK');
      throw error;
    }
    this.hiding = key;
  }

  /** Runs control statements (simple query); throws the first error. */
  private async command(thread: PgliteThread, sql: string): Promise<void> {
    const frames = splitBackendMessages(await thread.send(buildQuery(sql)));
    const error = frames.find((f) => f.type === 'E');
    if (error) throw new CatalogError(readErrorFields(error.body));
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The error of a statement stopped by the timeout (`timeoutMs`, when the session's is smaller) or a cancel, worded as Postgres words it. */
function stopError(stop: Stop, limits: CatalogLimits, timeoutMs = limits.timeoutMs): UserError {
  const bound =
    timeoutMs < limits.timeoutMs
      ? `this session's statement_timeout is ${timeoutMs} ms`
      : `a catalog statement may run ${limits.timeoutMs} ms (CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT, at most CUBEJS_SQL_API_STATEMENT_TIMEOUT)`;
  return stop === 'timeout'
    ? new UserError('QUERY_TIMEOUT', 'canceling statement due to statement timeout', { hint: bound })
    : new UserError('QUERY_CANCELLED', 'canceling statement due to user request');
}

/** `work`, or `stop()` as soon as `signal` is tripped, whichever comes first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, stop: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(stop());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Splits the answer of a wrapped unit: the unit's own messages (through its ReadyForQuery) and
 * those of the rollback after it; `opened` when a BEGIN's answer comes first (an error there is thrown).
 */
function unwrapUnit(frames: readonly BackendFrame[], opened: boolean): { unit: BackendFrame[]; after: BackendFrame[] } {
  let start = 0;
  if (opened) {
    start = frames.findIndex((f) => f.type === 'Z') + 1;
    const error = frames.slice(0, start).find((f) => f.type === 'E');
    if (error || start === 0) throw error ? new CatalogError(readErrorFields(error.body)) : new Error('the catalog database did not open a transaction');
  }
  const end = frames.findIndex((f, i) => i >= start && f.type === 'Z') + 1;
  if (end === 0) throw new Error('the catalog database answered a unit without ReadyForQuery');
  return { unit: frames.slice(start, end), after: frames.slice(end) };
}

function readyStatus(frames: readonly BackendFrame[]): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.type === 'Z') return String.fromCharCode(frames[i]!.body[0]!);
  return undefined;
}
