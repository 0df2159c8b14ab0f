/**
 * Reads a streaming DuckDB result chunk by chunk into columns of JSON values (as
 * `getColumnsJson` gives them), stopping with 53200 once its estimated size passes the budget:
 * DuckDB's memory limit does not cover the copy handed to JavaScript.
 */
import { JsonDuckDBValueConverter, type DuckDBResult } from '@duckdb/node-api';
import { UserError } from '../../../errors/user-error.ts';
import type { SandboxResult } from './sandbox-types.ts';

/** Estimated bytes of one value held in JavaScript (a string's characters, else a word). */
function sizeOf(value: unknown): number {
  return typeof value === 'string' ? 16 + 2 * value.length : 8;
}

export async function readSandboxResult(result: DuckDBResult, budgetBytes: number, limitText: string): Promise<SandboxResult> {
  const types = result.columnTypes();
  const columns = result.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
  const data: unknown[][] = columns.map(() => []);
  let rowCount = 0;
  let bytes = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const converted = chunk.convertColumns(JsonDuckDBValueConverter);
    for (let c = 0; c < converted.length; c++) {
      const target = data[c]!;
      for (const value of converted[c]!) {
        bytes += sizeOf(value);
        target.push(value);
      }
    }
    rowCount += chunk.rowCount;
    if (bytes > budgetBytes) {
      throw new UserError('OUT_OF_MEMORY', `the result of this query is larger than the SQL API's sandbox memory limit (${limitText})`, {
        hint: 'filter or aggregate further, or raise CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT',
      });
    }
  }
  return { columns, data, rowCount };
}
