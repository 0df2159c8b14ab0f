/**
 * Loads the statement's semantic results into temp tables of the sandbox connection: values are
 * appended as text to a staging table, then cast to the column types in one statement (DuckDB
 * parses "12.50" and "2024-01-01T00:00:00.000" itself), keeping the rows' order.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SANDBOX_COLUMN_TYPES, type SandboxTable } from './sandbox-types.ts';

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/i;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Creates one temp table per entry of `tables`; names must be plain identifiers. */
export async function loadSandboxTables(connection: DuckDBConnection, tables: readonly SandboxTable[], onStep: () => void): Promise<void> {
  for (const table of tables) {
    checkTable(table);
    const stage = `${table.name}__stage`;
    const staged = table.columns.map((_, i) => `c${i} VARCHAR`);
    await connection.run(`CREATE TEMP TABLE ${stage} (${[...staged, '__row BIGINT'].join(', ')})`);
    onStep();
    const appender = await connection.createAppender(stage, 'main', 'temp');
    for (let r = 0; r < table.rowCount; r++) {
      for (const column of table.columns) {
        const v = column.values[r];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendVarchar(String(v));
      }
      appender.appendBigInt(BigInt(r));
      appender.endRow();
    }
    appender.closeSync();
    const select = table.columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS ${quote(c.name)}`);
    await connection.run(`CREATE TEMP TABLE ${table.name} AS SELECT ${select.length ? select.join(', ') : 'NULL AS __none'} FROM ${stage} ORDER BY __row`);
    await connection.run(`DROP TABLE ${stage}`);
    onStep();
  }
}

function checkTable(table: SandboxTable): void {
  if (!TABLE_NAME.test(table.name)) throw new Error(`sandbox table name ${JSON.stringify(table.name)} is not a plain identifier`);
  for (const c of table.columns) {
    if (!SANDBOX_COLUMN_TYPES.includes(c.type)) throw new Error(`sandbox column ${c.name} has an unknown type ${String(c.type)}`);
  }
}
