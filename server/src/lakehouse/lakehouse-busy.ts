import { UserError } from '../errors/user-error.ts';
import { findRunningServer } from './running-server.ts';

/** Where to look for the holder and what to suggest, as the caller (CLI, `npm start`) sees it. */
export interface LakehouseBusyOptions {
  /** The lakehouse folder whose `server.json` may announce the holder as a running server (its URL is then named). */
  readonly lakehouseDir?: string;
  readonly hint: string;
}

/**
 * DuckDB's "Could not set lock on file" (any DuckDB file) as a LAKEHOUSE_BUSY UserError naming the
 * file and the holder's PID, and the holder's URL when it is the server announced in
 * `lakehouseDir`; undefined for any other error. DuckDB lets one process open a file at a time.
 */
export function asLakehouseBusy(error: unknown, file: string, options: LakehouseBusyOptions): UserError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Could not set lock on file/i.test(message)) return undefined;
  const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(message);
  const server = holder && options.lakehouseDir ? findRunningServer(options.lakehouseDir) : undefined;
  const who = server?.pid === Number(holder?.[2])
    ? `the running server (PID ${server!.pid}, ${server!.url})`
    : holder ? `process ${holder[2]} (${holder[1]})` : 'another process';
  return new UserError('LAKEHOUSE_BUSY', `${file} is held by ${who}: DuckDB lets one process open a database file at a time`, {
    hint: options.hint,
    cause: error,
  });
}
