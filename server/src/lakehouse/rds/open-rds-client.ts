import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { PGlite } from '@electric-sql/pglite';
import { UserError } from '../../errors/user-error.ts';
import { acquireProcessLock } from '../process-lock.ts';
import { describeRdsUrl, type RdsClient } from './rds-client.ts';
import { startPgliteWireServer } from './pglite-wire-server.ts';

/**
 * Opens the RDS stand-in named by a connection string:
 * `pglite:<dir>` (embedded Postgres, reached through `pg` over a local socket), `pglite:memory`,
 * `postgres://…` / `postgresql://…` (any Postgres) or `mysql://…` / `mariadb://…`.
 * Failing to connect is a SOURCE_UNREACHABLE UserError naming the source.
 */
export async function openRdsClient(url: string): Promise<RdsClient> {
  const description = describeRdsUrl(url);
  try {
    if (url.startsWith('pglite:')) return await openPglite(url.slice('pglite:'.length), description);
    if (/^postgres(ql)?:\/\//.test(url)) return await openPg({ connectionString: url }, description, async () => undefined);
    if (/^(mysql|mariadb):\/\//.test(url)) return await openMysql(url.replace(/^mariadb:/, 'mysql:'), description);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('SOURCE_UNREACHABLE', `Cannot connect to the RDS source ${description}: ${(error as Error).message}`, {
      cause: error, hint: 'Check LAKEHOUSE_RDS_URL (or --rds) and that the database is running.',
    });
  }
  throw new UserError('PIPELINE_INPUT', `Unsupported RDS connection string ${description}`, {
    hint: 'Use pglite:<dir>, postgres://user:pass@host:port/db or mysql://user:pass@host:port/db.',
  });
}

/**
 * PGlite is a single-process database: two processes opening one folder corrupt it for good
 * (every later open aborts). So a folder is opened under a lock file beside it (`<dir>.lock`), and
 * a second opener gets LAKEHOUSE_BUSY naming the holder.
 */
async function openPglite(dir: string, description: string): Promise<RdsClient> {
  const inMemory = dir === 'memory' || dir === '';
  const release = inMemory ? () => undefined : acquireProcessLock(`${path.resolve(dir)}.lock`, `The embedded RDS ${description}`);
  try {
    const db = await PGlite.create(inMemory ? undefined : dir);
    const server = await startPgliteWireServer(db).catch(async (error: unknown) => { await db.close(); throw error; });
    return await openPg({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' }, description, async () => {
      try {
        await server.close();
        await db.close();
      } finally {
        release();
      }
    });
  } catch (error) {
    release();
    throw error;
  }
}

async function openPg(config: pg.ClientConfig, description: string, onClose: () => Promise<void>): Promise<RdsClient> {
  // Timestamps without time zone and numerics stay strings: DuckDB parses them, no JS Date round trip.
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 1114 || oid === 1700 ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text') };
  const client = new pg.Client({ ...config, types, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await onClose().catch(() => undefined);
    throw error;
  }
  return {
    dialect: 'postgres', description,
    placeholder: (i) => `$${i}`,
    query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows as Record<string, unknown>[],
    close: async () => {
      await client.end().catch(() => undefined);
      await onClose();
    },
  };
}

async function openMysql(url: string, description: string): Promise<RdsClient> {
  const connection = await mysql.createConnection({ uri: url, dateStrings: true, decimalNumbers: false, connectTimeout: 10_000 });
  return {
    dialect: 'mysql', description,
    placeholder: () => '?',
    query: async (sql, params = []) => {
      const [rows] = await connection.query(sql, params as unknown[]);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: async () => { await connection.end().catch(() => undefined); },
  };
}
