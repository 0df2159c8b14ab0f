/**
 * The real server (config → buildStack → createServer, listening on a real socket) over the small
 * hand-built gold star schema of `server/test/engine/gold-fixture.ts`, with the repository's
 * model/ plus the test-only extras. One HTTP server answers both REST and GraphQL, so a GraphQL
 * answer can be compared with the REST answer to the same query.
 */
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXTRA_MODEL, writeGoldDatabaseFile } from '../../engine/gold-fixture.ts';
import { startStack, type TestStack } from '../../api/support/start-stack.ts';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../../model');

/** The gold DuckDB file and a model folder (model/ + extras) in a fresh temp dir. */
export async function prepareGoldFiles(): Promise<{ duckdbPath: string; modelDir: string }> {
  const { dir, file: duckdbPath } = await writeGoldDatabaseFile('graphql-gold-');
  const modelDir = path.join(dir, 'model');
  await cp(MODEL_DIR, modelDir, { recursive: true });
  await writeFile(path.join(modelDir, 'cubes', 'zz_test_extras.yml'), EXTRA_MODEL);
  return { duckdbPath, modelDir };
}

/** Starts the gold stack on a free port; `env` adds or overrides environment variables. */
export async function startGoldStack(files: { duckdbPath: string; modelDir: string }, env: Record<string, string> = {}): Promise<TestStack> {
  return startStack({ duckdbPath: files.duckdbPath, modelDir: files.modelDir, env: { CUBEJS_DEV_MODE: 'true', ...env }, listen: true });
}

/** POSTs a GraphQL request; returns the HTTP status and the parsed body. */
export async function postGraphql(
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const res = await fetch(`${url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

/** Runs a query through REST `/load` over HTTP and returns its rows (Cube's flat `cube.member` keys). */
export async function loadRest(url: string, query: object): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: Record<string, unknown>[]; error?: string };
  if (res.status !== 200 || !body.data) throw new Error(`REST ${res.status}: ${JSON.stringify(body)}`);
  return body.data;
}
