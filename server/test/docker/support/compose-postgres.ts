/**
 * A real Postgres server (Debian `postgresql`, as .ci/run installs it) set up the way the official
 * `postgres` image sets itself up from POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB: that user a
 * superuser with a password, that database owned by it, password (SCRAM) authentication over TCP.
 * It listens on 127.0.0.1 at a free port, standing in for the compose `postgres` service.
 */
import pg from 'pg';
import { startTempPostgres } from '../../support/temp-postgres.ts';

export interface ComposePostgres {
  readonly port: number;
  /** A client as POSTGRES_USER on POSTGRES_DB over TCP with the password: the independent reader. */
  connect(): Promise<pg.Client>;
  /** Stops the server and deletes its data. */
  stop(): void;
}

export async function startComposePostgres(env: Readonly<Record<string, string>>, port: number): Promise<ComposePostgres> {
  const user = env.POSTGRES_USER ?? 'postgres';
  const password = env.POSTGRES_PASSWORD;
  const database = env.POSTGRES_DB ?? user;
  if (!password) throw new Error('the postgres service needs POSTGRES_PASSWORD');
  const server = await startTempPostgres({ prefix: 'compose-postgres', port, tcp: true, hostAuth: 'scram-sha-256' });
  try {
    const admin = new pg.Client({ host: server.socketDir, port, user: server.superuser, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${admin.escapeIdentifier(user)} SUPERUSER LOGIN PASSWORD ${admin.escapeLiteral(password)}`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)} OWNER ${admin.escapeIdentifier(user)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    server.stop();
    throw error;
  }
  return {
    port,
    async connect() {
      const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
      await client.connect();
      return client;
    },
    stop: server.stop,
  };
}
