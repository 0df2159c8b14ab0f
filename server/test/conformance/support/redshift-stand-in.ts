/**
 * A real Postgres server (Debian's `postgresql`, as `.ci/run` installs) standing in for Redshift
 * where the two agree: TCP on 127.0.0.1, TLS with a throwaway self-signed certificate, password
 * (SCRAM) authentication and a `dev` database, so the `pg` client takes the same path as to a
 * Redshift endpoint. What Postgres lacks of Redshift's SQL is bridged here and nowhere else, each
 * bridge following AWS's documented semantics (server/src/sql/README.md lists them): the functions
 * `convert_timezone(source, target, ts)` and `dateadd(part, n, ts)` installed in `dev`, and the
 * text bridges of redshift-text-bridges.ts applied by `bridged(driver)`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBin } from '../../sql-api/support/oracle-postgres.ts';
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the server (about 2 s) with the Redshift bridges installed in `dev`. */
export async function startStandInPostgres(): Promise<StandInPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres server binaries not found: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'pg-redshift-'));
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const own = (file: string, mode: number): void => {
    if (owner) chownSync(file, owner.uid, owner.gid);
    chmodSync(file, mode);
  };
  own(dir, 0o700);
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  };
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, PASSWORD);
  own(pwfile, 0o600);
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  own(key, 0o600);
  own(cert, 0o644);
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '--no-sync', '-A', 'scram-sha-256', '-U', USER, `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, '-c fsync=off', '-c log_statement=all', '-c ssl=on', `-c ssl_cert_file=${cert}`, `-c ssl_key_file=${key}`, "-c timezone=UTC"];
  run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', settings.join(' '), 'start']);
  const stop = (): void => {
    run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const dev = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: DATABASE });
    await dev.connect();
    await dev.query(BRIDGE_FUNCTIONS);
    await dev.end();
  } catch (error) {
    stop();
    throw error;
  }
  return { host: '127.0.0.1', port, user: USER, password: PASSWORD, database: DATABASE, logFile: join(dir, 'log'), stop };
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
