/**
 * Prepared statements one DuckDB connection keeps by their text, for statements whose tables never
 * change (QueryOptions.reusePlan): running one again binds its parameters and executes, skipping
 * the parse, bind and plan DuckDB does for a new statement. Least recently used first out, so a
 * rollup's superseded tables are not held by plans nobody runs any more.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

const KEPT_PER_CONNECTION = 32;

export class KeptPlans {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();

  /** `generation`: the driver's plan generation when these were made (see DuckDbDriver.forgetPlans). */
  constructor(
    private readonly connection: DuckDBConnection,
    readonly generation: number,
  ) {}

  /** The kept statement for `sql`, prepared now if there is none. */
  async statement(sql: string): Promise<DuckDBPreparedStatement> {
    const kept = this.statements.get(sql);
    if (kept) {
      // Map order is insertion order: moving it to the end marks it most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      return kept;
    }
    const prepared = await this.connection.prepare(sql);
    this.statements.set(sql, prepared);
    if (this.statements.size > KEPT_PER_CONNECTION) {
      const [oldest, statement] = this.statements.entries().next().value!;
      this.statements.delete(oldest);
      statement.destroySync();
    }
    return prepared;
  }

  /** Drops the statement for `sql` (it failed: the next run prepares it anew). */
  forget(sql: string): void {
    this.statements.get(sql)?.destroySync();
    this.statements.delete(sql);
  }

  clear(): void {
    for (const statement of this.statements.values()) statement.destroySync();
    this.statements.clear();
  }
}
