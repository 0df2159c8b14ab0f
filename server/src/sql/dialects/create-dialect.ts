/** Picks the dialect for a `CUBEJS_DB_TYPE` value; the composition root calls this once. */
import type { Dialect } from '../dialect.ts';
import { createDuckDbDialect } from './duckdb/duckdb-dialect.ts';
import { createDatabricksDialect } from './databricks/databricks-dialect.ts';
import { createTrinoDialect } from './trino/trino-dialect.ts';
import { createRedshiftDialect } from './redshift/redshift-dialect.ts';

const FACTORIES: Readonly<Record<string, () => Dialect>> = {
  duckdb: createDuckDbDialect,
  databricks: createDatabricksDialect,
  'databricks-jdbc': createDatabricksDialect,
  athena: createTrinoDialect,
  trino: createTrinoDialect,
  redshift: createRedshiftDialect,
};

export function createDialect(dbType: string): Dialect {
  const factory = FACTORIES[dbType];
  if (!factory) throw new Error(`No SQL dialect for database type "${dbType}" (known: ${Object.keys(FACTORIES).join(', ')})`);
  return factory();
}
