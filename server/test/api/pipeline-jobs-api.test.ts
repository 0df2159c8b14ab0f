/**
 * The pipeline jobs endpoints (`/cubejs-api/v1/pipeline/*`) in-process on the real express app with
 * real JWTs: the `jobs` scope outside dev mode, bad requests as 4xx with Cube's error shape, a job
 * that lands files (counts checked against the lines of the files, read here) and a job that
 * fails with its UserError code, and no jobs on a server that does not hold the local lakehouse.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticServer } from '../../src/server.ts';
import { makeTempLakehouse, readDataLines, type TempLakehouse } from '../lakehouse/lakehouse-fixtures.ts';
import { startStack, type Stack } from '../support/stack.ts';

const SECRET = 'pipeline-jobs-test-secret-of-32-bytes';
const JOBS = '/cubejs-api/v1/pipeline/jobs';
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

describe('pipeline jobs endpoints', () => {
  let lake: TempLakehouse;
  let localStack: Stack;
  let remoteStack: Stack;
  let local: SemanticServer;
  let remote: SemanticServer;
  let jobsToken: string;

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 9, rds: false });
    // As `npm start` runs by default: the source is the local lakehouse, so the pipeline jobs run on it.
    localStack = await startStack({ data: { localLakehouse: lake.paths.dir }, security: { secret: SECRET } });
    // A server over another source (a DuckDB file it was given): no pipeline jobs.
    remoteStack = await startStack({ data: 'gold', security: { secret: SECRET } });
    local = localStack.server;
    remote = remoteStack.server;
    jobsToken = await token({ sub: 'cli', scope: ['jobs'] });
  });
  afterAll(async () => {
    await localStack?.close();
    await remoteStack?.close();
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
