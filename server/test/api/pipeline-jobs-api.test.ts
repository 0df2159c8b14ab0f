/**
 * The pipeline jobs endpoints (`/cubejs-api/v1/pipeline/*`) in-process on the real express app with
 * real JWTs: the `jobs` scope outside dev mode, bad requests as 4xx with Cube's error shape, a job
 * that lands files (counts checked against the lines of the files, read here) and a job that
 * fails with its UserError code, and no jobs on a server that does not hold the local lakehouse.
 */
import path from 'node:path';
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { buildStack, type SemanticStack } from '../../src/main.ts';
import { createLogger } from '../../src/observability/create-logger.ts';
import { createServer, type SemanticServer } from '../../src/server.ts';
import { writeGoldDatabaseFile } from '../engine/gold-fixture.ts';
import { makeTempLakehouse, readDataLines, type TempLakehouse } from '../lakehouse/lakehouse-fixtures.ts';

const SECRET = 'pipeline-jobs-test-secret-of-32-bytes';
const MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');
const JOBS = '/cubejs-api/v1/pipeline/jobs';
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

describe('pipeline jobs endpoints', () => {
  let lake: TempLakehouse;
  let stack: SemanticStack;
  let local: SemanticServer;
  let remote: SemanticServer;
  let jobsToken: string;

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 9, rds: false });
    const gold = await writeGoldDatabaseFile('pipeline-jobs-');
    const logger = createLogger({ level: 'silent' });
    // The engine reads a gold fixture; the pipeline routes follow the configuration only.
    const remoteConfig = await loadConfig({ cwd: gold.dir, env: { CUBEJS_SCHEMA_PATH: MODEL_DIR, CUBEJS_DB_DUCKDB_DATABASE_PATH: gold.file, CUBEJS_API_SECRET: SECRET } });
    stack = await buildStack(remoteConfig, logger, { storePath: undefined, refreshWorker: false, buildConcurrency: 1, refreshIntervalMs: 60_000, queryConcurrency: 2 });
    const localConfig = await loadConfig({ cwd: lake.paths.dir, env: { CUBEJS_SCHEMA_PATH: MODEL_DIR, LAKEHOUSE_DIR: lake.paths.dir, CUBEJS_API_SECRET: SECRET } });
    local = createServer({ config: localConfig, engine: stack.engine, driver: stack.driver, logger });
    remote = createServer({ config: remoteConfig, engine: stack.engine, driver: stack.driver, logger });
    jobsToken = await token({ sub: 'cli', scope: ['jobs'] });
  });
  afterAll(async () => {
    await stack?.close();
    lake?.remove();
  });

  async function waitForJob(tokenOfJob: string): Promise<Record<string, unknown>> {
    for (;;) {
      const polled = await request(local.app).post(JOBS).set('Authorization', jobsToken).send({ action: 'get', tokens: [tokenOfJob] });
      expect(polled.status).toBe(200);
      const [status] = polled.body as Record<string, unknown>[];
      if (status!.status === 'done' || status!.status === 'failure') return status!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('requires the jobs scope outside dev mode', async () => {
    const res = await request(local.app).post(JOBS).set('Authorization', await token({ sub: 'app' })).send({ action: 'post', command: 'check' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: 'ACCESS_DENIED', error: expect.stringContaining('"jobs" scope') });
  });

  it('answers bad requests with a 4xx naming the problem', async () => {
    const send = (body: object) => request(local.app).post(JOBS).set('Authorization', jobsToken).send(body);
    expect((await send({ action: 'run' })).body).toMatchObject({ type: 'QUERY_INVALID', error: expect.stringContaining('"action" must be "post" or "get"') });
    const command = await send({ action: 'post', command: 'drop' });
    expect(command.status).toBe(400);
    expect(command.body.error).toMatch(/"command" must be one of ingest, transform, check/);
    const layers = await send({ action: 'post', command: 'check', layers: ['platinum'] });
    expect(layers.status).toBe(400);
    expect(layers.body).toMatchObject({ type: 'PIPELINE_INPUT', error: expect.stringContaining('Unknown layer(s) platinum') });
    const unknown = await send({ action: 'get', tokens: ['no-such-job'] });
    expect(unknown.status).toBe(404);
  });

  it('runs an ingestion job: every data line of the landing files read, accepted or quarantined', async () => {
    const posted = await request(local.app).post(JOBS).set('Authorization', jobsToken).send({ action: 'post', command: 'ingest', rds: false });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ status: 'scheduled', request: { command: 'ingest', rds: false } });
    const done = await waitForJob(posted.body.token as string);
    expect(done.status).toBe('done');
    const sources = (done.result as { ingest: { sources: { table: string; read: number; accepted: number; quarantined: number }[] } }).ingest.sources;
    const orderLines = sources.find((s) => s.table === 'erp_order_lines')!;
    expect(orderLines.read).toBe(readDataLines(lake.paths.landingDir, 'erp/order_lines', true).length);
    expect(orderLines.accepted + orderLines.quarantined).toBe(orderLines.read);
  });

  it('reports a failed job with its code and message (checks of a layer never transformed)', async () => {
    const posted = await request(local.app).post(JOBS).set('Authorization', jobsToken).send({ action: 'post', command: 'check', layers: ['gold'] });
    const failed = await waitForJob(posted.body.token as string);
    expect(failed).toMatchObject({ status: 'failure', error: { code: 'DATA_QUALITY', message: expect.stringContaining('gold.fato_vendas is missing') } });
  });

  it('has no jobs on a server that does not run on the local lakehouse', async () => {
    const res = await request(remote.app).post(JOBS).set('Authorization', jobsToken).send({ action: 'post', command: 'check' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'UNSUPPORTED', error: expect.stringContaining('does not run on the local lakehouse') });
  });
});
