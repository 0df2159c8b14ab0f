/**
 * The driver a lambda match runs on. The engine plans a lambda query like any rollup query, over
 * a virtual cube whose table is a placeholder; this driver, at execution time, fetches the tail
 * from the source, replaces the placeholder with the batch ∪ tail rows (lambda-union-sql.ts) and
 * runs the statement in the store. Fetching at execution (not at matching, which is synchronous)
 * keeps the tail as fresh as the moment the query runs.
 */
import type { Driver, QueryOptions, QueryResult } from '../drivers/driver-types.ts';
import { lambdaUnionSql, type LambdaUnionInput } from './lambda-union-sql.ts';

export interface LambdaDriverOptions {
  readonly store: Driver;
  /** The text planned as the virtual cube's table (unique per leased version set). */
  readonly placeholder: string;
  /** Runs the tail query on the source; columns named like the stored ones. */
  readonly fetchTail: (signal?: AbortSignal) => Promise<QueryResult>;
  readonly union: Omit<LambdaUnionInput, 'tail'>;
}

export function createLambdaDriver(options: LambdaDriverOptions): Driver {
  // One tail per match: a query and its `total` statement see the same source snapshot.
  let tail: Promise<QueryResult> | undefined;
  return {
    name: options.store.name,
    async query(sql: string, params: readonly unknown[], queryOptions?: QueryOptions): Promise<QueryResult> {
      if (!sql.includes(options.placeholder)) return options.store.query(sql, params, queryOptions);
      tail ??= options.fetchTail(queryOptions?.signal);
      const rows = `(${lambdaUnionSql({ ...options.union, tail: await tail })}) AS lambda_rows`;
      // The text holds this moment's tail rows: a plan of it would never be run again.
      return options.store.query(sql.split(options.placeholder).join(rows), params, { ...queryOptions, reusePlan: false });
    },
    testConnection: () => options.store.testConnection(),
    // The store driver belongs to the store; a match never closes it.
    close: async () => undefined,
  };
}
