/**
 * A real Postgres server (Debian `postgresql`, as .ci/run installs it) set up the way the official
 * `postgres` image sets itself up from POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB: that user a
 * superuser with a password, that database owned by it, password (SCRAM) authentication over TCP.
 * It listens on 127.0.0.1 at a free port, standing in for the compose `postgres` service.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBin } from '../../sql-api/support/oracle-postgres.ts';

export interface ComposePostgres {
  readonly port: number;
  /** A client as POSTGRES_USER on POSTGRES_DB over TCP with the password: the independent reader. */
  connect(): Promise<pg.Client>;
  /** Stops the server and deletes its data. */
  stop(): void;
}

export async function startComposePostgres(env: Readonly<Record<string, string>>, port: number): Promise<ComposePostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres server binaries not found: apt-get install postgresql (.ci/run does)');
  const user = env.POSTGRES_USER ?? 'postgres';
  const password = env.POSTGRES_PASSWORD;
  const database = env.POSTGRES_DB ?? user;
  if (!password) throw new Error('the postgres service needs POSTGRES_PASSWORD');
  const dir = mkdtempSync(join(tmpdir(), 'compose-postgres-'));
  // initdb refuses root: as root the cluster belongs to the `postgres` account.
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr}`);
  };
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '--no-sync', '-U', owner, '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256']);
  run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const stop = (): void => {
    run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ host: dir, port, user: owner, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${admin.escapeIdentifier(user)} SUPERUSER LOGIN PASSWORD ${admin.escapeLiteral(password)}`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)} OWNER ${admin.escapeIdentifier(user)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    stop();
    throw error;
  }
  return {
    port,
    async connect() {
      const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
      await client.connect();
      return client;
    },
    stop,
  };
}
