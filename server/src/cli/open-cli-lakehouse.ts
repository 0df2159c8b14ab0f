import type { DuckDBConnection } from '@duckdb/node-api';
import type { UserError } from '../errors/user-error.ts';
import { asLakehouseBusy as asBusy } from '../lakehouse/lakehouse-busy.ts';
import { openLakehouse } from '../lakehouse/open-lakehouse.ts';

/**
 * Opens the lakehouse for a CLI command. DuckDB lets one process open a file; when another holds
 * it (`npm start`, a `stream consume`), the lock error becomes a LAKEHOUSE_BUSY UserError naming
 * the holder's PID and the ways forward, never an internal error.
 */
export async function openCliLakehouse(duckdbPath: string): Promise<DuckDBConnection> {
  try {
    return await openLakehouse(duckdbPath);
  } catch (error) {
    throw asLakehouseBusy(error, duckdbPath) ?? error;
  }
}

/** The LAKEHOUSE_BUSY error for DuckDB's "Could not set lock on file" (any DuckDB file), else undefined. */
export function asLakehouseBusy(error: unknown, file: string): UserError | undefined {
  return asBusy(error, file, {
    hint: 'If it is `npm start` on this lakehouse folder, this command goes through its jobs API when the server announces itself in '
      + '<lakehouse-dir>/server.json (check --lakehouse-dir); otherwise stop that process and run the command again.',
  });
}
