/**
 * A real Postgres server (Debian's `postgresql`, as `.ci/run` installs) standing in for Redshift
 * where the two agree: TCP on 127.0.0.1, TLS with a throwaway self-signed certificate, password
 * (SCRAM) authentication and a `dev` database, so the `pg` client takes the same path as to a
 * Redshift endpoint. What Postgres lacks of Redshift's SQL is bridged here and nowhere else, each
 * bridge following AWS's documented semantics (server/src/sql/README.md lists them): the functions
 * `convert_timezone(source, target, ts)` and `dateadd(part, n, ts)` installed in `dev`, and the
 * text bridges of redshift-text-bridges.ts applied by `bridged(driver)`.
 */
import pg from 'pg';
import { startTempPostgres } from '../../support/temp-postgres.ts';
import type { Driver, QueryOptions, QueryResult } from '../../../src/drivers/driver-types.ts';
import { bridgeSql } from './redshift-text-bridges.ts';

export { bridgeUse, TEXT_BRIDGES } from './redshift-text-bridges.ts';

export interface StandInPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The server's log (every statement is logged: `log_statement = all`). */
  readonly logFile: string;
  stop(): void;
}

const USER = 'cube_redshift';
const PASSWORD = 'stand-in-pass';
const DATABASE = 'dev';

/** Starts the server (about 2 s) with the Redshift bridges installed in `dev`. */
export async function startStandInPostgres(): Promise<StandInPostgres> {
  const server = await startTempPostgres({
    prefix: 'pg-redshift', tcp: true, tls: true, hostAuth: 'scram-sha-256', superuser: USER, superuserPassword: PASSWORD,
    settings: ['log_statement=all', 'timezone=UTC'],
  });
  try {
    const admin = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const dev = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: DATABASE });
    await dev.connect();
    await dev.query(BRIDGE_FUNCTIONS);
    await dev.end();
  } catch (error) {
    server.stop();
    throw error;
  }
  return { host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: DATABASE, logFile: server.logFile, stop: server.stop };
}

/**
 * CONVERT_TIMEZONE(source, target, ts): ts read as a wall time in `source`, shown in `target`
 * (https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html). DATEADD(part, n, ts):
 * calendar addition, the day clamped to the month's length
 * (https://docs.aws.amazon.com/redshift/latest/dg/r_DATEADD_function.html).
 */
const BRIDGE_FUNCTIONS = `
CREATE FUNCTION convert_timezone(source text, target text, ts timestamp) RETURNS timestamp
  LANGUAGE sql STABLE AS $$ SELECT (ts AT TIME ZONE source) AT TIME ZONE target $$;
CREATE FUNCTION dateadd(part text, n bigint, ts timestamp) RETURNS timestamp
  LANGUAGE sql IMMUTABLE AS $$ SELECT ts + make_interval(
    years => CASE WHEN part = 'year' THEN n::int ELSE 0 END,
    months => CASE WHEN part = 'month' THEN n::int ELSE 0 END,
    days => CASE WHEN part = 'day' THEN n::int ELSE 0 END,
    hours => CASE WHEN part = 'hour' THEN n::int ELSE 0 END,
    mins => CASE WHEN part = 'minute' THEN n::int ELSE 0 END,
    secs => CASE WHEN part = 'second' THEN n ELSE 0 END) $$;
`;

/** The Redshift driver with the text bridges applied before each statement reaches Postgres. */
export function bridged(driver: Driver): Driver {
  return {
    name: driver.name,
    query: (sql: string, params: readonly unknown[], options?: QueryOptions): Promise<QueryResult> => driver.query(bridgeSql(sql), params, options),
    testConnection: () => driver.testConnection(),
    close: () => driver.close(),
  };
}
