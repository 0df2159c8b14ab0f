/**
 * The composition root as a user runs it: production mode without CUBEJS_API_SECRET refuses to
 * start with a clear message and a non-zero exit code; with a secret (and a DuckDB file) it
 * serves, requires a JWT, and shuts down cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { corpusDatabase } from '../support/stack.ts';
import { CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';

const MAIN = path.resolve(import.meta.dirname, '../../src/main.ts');
// Absolute, so the child resolves tsx even from a temp working directory.
const TSX_LOADER = pathToFileURL(path.resolve(import.meta.dirname, '../../../node_modules/tsx/dist/loader.mjs')).href;

/** The environment without any CUBEJS_* variable of the test runner. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CUBEJS_') && key !== 'PORT') env[key] = value;
  return { ...env, ...extra };
}

function run(cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('main.ts', () => {
  it('refuses to start in production mode without CUBEJS_API_SECRET', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'startup-'));
    const proc = run(cwd, cleanEnv({}));
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.output()).toMatch(/CUBEJS_API_SECRET is required in production mode/);
  });

  it('refuses CUBEJS_DB_TYPE=databricks without its connection variables, naming them', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'startup-'));
    const proc = run(cwd, cleanEnv({ CUBEJS_API_SECRET: 'x'.repeat(32), CUBEJS_DB_TYPE: 'databricks', CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR }));
    expect(await proc.exited).not.toBe(0);
    expect(proc.output()).toMatch(/needs CUBEJS_DB_DATABRICKS_URL and CUBEJS_DB_DATABRICKS_TOKEN/);
  });

  it('serves with a secret, requires a JWT, and exits 0 on SIGTERM', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'startup-'));
    const secret = 'startup-secret-0123456789abcdef';
    const proc = run(cwd, cleanEnv({
      CUBEJS_API_SECRET: secret,
      CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR,
      CUBEJS_DB_DUCKDB_DATABASE_PATH: await corpusDatabase(),
      PORT: '0',
      CUBEJS_LOG_LEVEL: 'info',
    }));
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /REST API: (http:\/\/\S+?)\/cubejs-api\/v1/.exec(proc.output())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, proc.output()).toBeDefined();
    const query = encodeURIComponent(JSON.stringify({ measures: ['Customers.count'] }));
    expect((await fetch(`${url}/cubejs-api/v1/load?query=${query}`)).status).toBe(403);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    const ok = await fetch(`${url}/cubejs-api/v1/load?query=${query}`, { headers: { Authorization: token } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(1);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});
