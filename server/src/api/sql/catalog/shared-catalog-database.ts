/**
 * One catalog database per model version, holding every table of the model, shared by all
 * callers whatever the access policies let them see. A caller who may not see everything gets a
 * scope whose DDL (`hide-members-sql.ts`) drops what is hidden inside a transaction that is never
 * committed: their statements see pg_catalog and information_schema exactly as if only their
 * tables and columns existed, with the same OIDs as everyone else's.
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
 */
import { PgliteThread } from './pglite-thread.ts';
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
} from './catalog-database.ts';
import type { ModelTable } from './model-tables.ts';
import { rewriteCatalogCompat } from './rewrite-catalog-compat.ts';
import { buildQuery, readErrorFields, splitBackendMessages, type BackendFrame } from '../wire/frontend-builders.ts';

/** What one caller sees: `hideSql` drops what they may not see (undefined: everything). */
export interface CatalogScope {
  /** Names the set of visible members (the same key for the same set). */
  readonly key: string;
  readonly hideSql?: string;
}

const SAVEPOINT = 'sqlapi_visible';
/** Functions whose answer is the transaction's start time (or derived from it). */
const TRANSACTION_CLOCK = /\b(now|current_timestamp|current_date|current_time|localtime|localtimestamp|transaction_timestamp)\b/i;

let initializedCluster: Uint8Array | undefined;

export class SharedCatalogDatabase {
  private queue: Promise<unknown> = Promise.resolve();
  /** Key of the scope whose hiding transaction is open, if any. */
  private hiding?: string;

  private constructor(private readonly thread: PgliteThread) {}

  /** Starts PGlite in a worker thread (0.5–3 s, off the event loop) and creates the model tables. */
  static async create(tables: Iterable<ModelTable>, onExit?: (error: Error) => void): Promise<SharedCatalogDatabase> {
    const thread = await PgliteThread.start(catalogSetupSql(tables), { dataDir: initializedCluster, wantDataDir: !initializedCluster, onExit });
    initializedCluster ??= thread.dataDir;
    return new SharedCatalogDatabase(thread);
  }

  /** The catalog as seen by callers of one scope. */
  scoped(scope: CatalogScope): CatalogDatabase {
    return {
      execute: (sql, paramTypes, params, paramFormats, resultFormats) => this.execute(scope, sql, paramTypes, params, paramFormats, resultFormats),
      describe: (sql, paramTypes) => this.describe(scope, sql, paramTypes),
    };
  }

  /** Runs one statement (older clients' names of renamed catalog columns answered, see rewrite-catalog-compat.ts). */
  async execute(scope: CatalogScope, sql: string, paramTypes: readonly number[], params: readonly (Buffer | null)[], paramFormats: readonly number[], resultFormats: readonly number[]): Promise<CatalogResult> {
    const text = rewriteCatalogCompat(sql);
    return readExecuteAnswer(await this.run(scope, text, executeMessage(text, paramTypes, params, paramFormats, resultFormats)));
  }

  async describe(scope: CatalogScope, sql: string, paramTypes: readonly number[]): Promise<CatalogDescription> {
    const text = rewriteCatalogCompat(sql);
    return readDescribeAnswer(await this.run(scope, text, describeMessage(text, paramTypes)));
  }

  close(): Promise<void> {
    return this.locked(() => this.thread.close());
  }

  /** Runs one unit in the scope's view of the catalog and returns PGlite's answer. */
  private run(scope: CatalogScope, sql: string, message: Buffer): Promise<BackendFrame[]> {
    return this.locked(async () => {
      await this.enter(scope, TRANSACTION_CLOCK.test(sql));
      const frames = splitBackendMessages(await this.thread.send(message));
      if (scope.hideSql) {
        const status = readyStatus(frames);
        if (status === 'E') await this.command(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        else if (status !== 'T') {
          // Nothing a read-only statement does ends a transaction; if it happened, its rows are not shown.
          this.hiding = undefined;
          throw new Error(`the catalog's hiding transaction ended during a statement (status ${status ?? 'none'})`);
        }
      }
      return frames;
    });
  }

  /** Makes the scope's hiding (or none) the one in effect. */
  private async enter(scope: CatalogScope, fresh: boolean): Promise<void> {
    const key = scope.hideSql ? scope.key : undefined;
    if (this.hiding === key && !(fresh && key !== undefined)) return;
    if (this.hiding !== undefined) {
      this.hiding = undefined;
      await this.command('ROLLBACK');
    }
    if (key === undefined) return;
    try {
      await this.command(`BEGIN; ${scope.hideSql}; SAVEPOINT ${SAVEPOINT}`);
    } catch (error) {
      await this.command('ROLLBACK');
      throw error;
    }
    this.hiding = key;
  }

  /** Runs control statements (simple query); throws the first error. */
  private async command(sql: string): Promise<void> {
    const frames = splitBackendMessages(await this.thread.send(buildQuery(sql)));
    const error = frames.find((f) => f.type === 'E');
    if (error) throw new CatalogError(readErrorFields(error.body));
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function readyStatus(frames: readonly BackendFrame[]): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.type === 'Z') return String.fromCharCode(frames[i]!.body[0]!);
  return undefined;
}
