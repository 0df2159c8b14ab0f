/**
 * Writes a columnar result as a CSV file for DuckDB's `read_csv`: every non-null value quoted
 * (quotes doubled), NULL as an empty unquoted field, so an empty string and NULL stay distinct
 * (`allow_quoted_nulls = false` on the reading side).
 */
import { open } from 'node:fs/promises';
import type { QueryResult } from '../drivers/driver-types.ts';

const ROWS_PER_WRITE = 5_000;

export async function writeStagingCsv(file: string, result: QueryResult): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const width = result.columns.length;
    for (let start = 0; start < result.rowCount; start += ROWS_PER_WRITE) {
      const end = Math.min(result.rowCount, start + ROWS_PER_WRITE);
      const lines: string[] = [];
      for (let row = start; row < end; row++) {
        const cells = new Array<string>(width);
        for (let col = 0; col < width; col++) cells[col] = csvCell(result.data[col]![row]);
        lines.push(cells.join(','));
      }
      await handle.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await handle.close();
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : String(value);
  return `"${text.replace(/"/g, '""')}"`;
}
