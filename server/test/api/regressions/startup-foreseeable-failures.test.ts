/**
 * `npm start` refuses foreseeable conditions with a plain message, a hint and the CLI's exit code,
 * never "unexpected error" and a stack: the HTTP port taken by another server (as the SQL API port
 * already was), and a second start on a lakehouse whose DuckDB file another process holds — named
 * with its PID, and with its URL when it is the server announced in the folder's server.json.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { corpusDatabase } from '../../support/stack.ts';
import { CORPUS_MODEL_DIR } from '../../fixtures/cube-corpus.ts';
import { cleanEnv, runMain } from '../support/run-main.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-failures-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('npm start on foreseeable conflicts', () => {
  it('names the HTTP port in use and the variable to change, with exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;

    const main = runMain(tempDir(), cleanEnv({
      CUBEJS_API_SECRET: 'startup-secret-0123456789abcdef',
      CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR,
      CUBEJS_DB_DUCKDB_DATABASE_PATH: await corpusDatabase(),
      PORT: String(port),
      CUBEJS_PG_SQL_PORT: 'false',
    }));
    expect(await main.exited, main.output()).toBe(1);
    expect(main.output()).toContain(`Cannot start: HTTP port ${port} is in use: set PORT to a free port`);
    expect(main.output()).toMatch(/hint: .*another PORT/);
    expect(main.output()).not.toMatch(/unexpected error|EADDRINUSE/);
  }, 60_000);

  it('names the lakehouse file, the holder PID and the running server URL, with LAKEHOUSE_BUSY exit code 3', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'lakehouse.duckdb');
    // This test process holds the file, as a first `npm start` would, and is announced as that server.
    const holder = await DuckDBInstance.create(file);
    const connection = await holder.connect();
    cleanups.push(() => {
      connection.closeSync();
      holder.closeSync();
    });
    const announced = { pid: process.pid, url: 'http://127.0.0.1:4711', restBasePath: '/cubejs-api/v1', duckdbPath: file, startedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify(announced));
    const env = cleanEnv({ LAKEHOUSE_DIR: dir, CUBEJS_DEV_MODE: 'true', PORT: '0', CUBEJS_PG_SQL_PORT: 'false', CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR });

    const second = runMain(tempDir(), env);
    expect(await second.exited, second.output()).toBe(3);
    expect(second.output()).toContain(`Cannot start: ${file} is held by the running server (PID ${process.pid}, http://127.0.0.1:4711)`);
    expect(second.output()).toMatch(/hint: .*LAKEHOUSE_DIR/);
    expect(second.output()).not.toMatch(/unexpected error|IO Error/);

    // No announcement (or one of another process): the holder is named by its PID.
    fs.rmSync(path.join(dir, 'server.json'));
    const third = runMain(tempDir(), env);
    expect(await third.exited, third.output()).toBe(3);
    expect(third.output()).toContain(`Cannot start: ${file} is held by process ${process.pid} (`);
  }, 60_000);
});
