/**
 * The transactional database standing in for RDS, reached through a real client (`pg` or `mysql2`).
 * Ingestion and the generator write SQL against this, with placeholders from `placeholder(i)`.
 */
export interface RdsClient {
  readonly dialect: 'postgres' | 'mysql';
  /** Names the source in messages (`pglite:/path`, `postgres://host:5432/db`), never with a password. */
  readonly description: string;
  /** 1-based placeholder for the dialect: `$1` for Postgres, `?` for MySQL. */
  placeholder(index: number): string;
  /** Runs one statement; rows come back as plain objects, timestamps and decimals as strings. */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Strips credentials from a connection string so it can appear in errors and logs. */
export function describeRdsUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1@');
}
