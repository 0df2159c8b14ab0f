import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { UserError } from '../errors/user-error.ts';
import type { ErrorCode } from '../errors/error-codes.ts';
import { ERROR_CODES } from '../errors/error-codes.ts';
import type { PipelineJobRequest, PipelineJobResult, PipelineJobStatus } from '../lakehouse/pipeline-jobs.ts';
import { findRunningServer, type RunningServer } from '../lakehouse/running-server.ts';
import type { EventCatalog } from '../lakehouse/stream/event-catalog.ts';
import type { RollupStatus } from '../preagg/refresh-rollups.ts';

const POLL_MS = 200;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The CLI's side of a running server that holds the lakehouse: its pipeline jobs
 * (`/pipeline/jobs`), pre-aggregation jobs and status, and event catalog, over HTTP. Outside dev
 * mode the server wants a token with the `jobs` scope: LAKEHOUSE_API_TOKEN, or one signed here
 * with CUBEJS_API_SECRET (the server's own secret, as Cube's tooling does).
 */
export class RunningServerClient {
  constructor(readonly server: RunningServer, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** "the running server (PID 123, http://localhost:4000)", for messages. */
  get description(): string {
    return `the running server (PID ${this.server.pid}, ${this.server.url})`;
  }

  /** Queues a pipeline job, follows its progress and answers its result; a failed job throws its error. */
  async runPipelineJob(request: PipelineJobRequest, onProgress?: (detail: string, done: number, total: number) => void): Promise<PipelineJobResult> {
    let status = await this.request<PipelineJobStatus>('POST', '/pipeline/jobs', { action: 'post', ...request });
    while (status.status === 'scheduled' || status.status === 'processing') {
      if (status.progress) onProgress?.(status.progress.detail, status.progress.done, status.progress.total);
      await sleep(POLL_MS);
      [status] = await this.request<PipelineJobStatus[]>('POST', '/pipeline/jobs', { action: 'get', tokens: [status.token] });
    }
    if (status.status === 'done') return status.result!;
    throw jobError(status.error ?? { code: 'INTERNAL', message: 'the job failed without an error' }, this.description);
  }

  /** Starts builds of the given rollups (every rollup when none) and waits for them; answers their final job statuses. */
  async buildPreAggregations(only: readonly string[] | undefined): Promise<{ table: string; status: string }[]> {
    const tokens = await this.request<string[]>('POST', '/pre-aggregations/jobs', { action: 'post', selector: only ? { preAggregations: only } : {} });
    for (;;) {
      const statuses = await this.request<{ table: string; status: string }[]>('POST', '/pre-aggregations/jobs', { action: 'get', tokens });
      if (statuses.every((s) => s.status !== 'scheduled' && s.status !== 'processing')) return statuses;
      await sleep(POLL_MS);
    }
  }

  async preAggregationStatus(): Promise<RollupStatus[]> {
    return (await this.request<{ preAggregations: RollupStatus[] }>('GET', '/pre-aggregations')).preAggregations;
  }

  async eventCatalog(): Promise<EventCatalog> {
    return this.request<EventCatalog>('GET', '/pipeline/event-catalog');
  }

  private async request<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const url = `${this.server.url}${this.server.restBasePath}${route}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UserError('SOURCE_UNREACHABLE', `${this.description} does not answer at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, {
        hint: `If the server is stopping, run the command again once it has stopped; if it crashed, remove ${path.join(path.dirname(this.server.duckdbPath), 'server.json')} and run again.`,
        cause: error,
      });
    }
    const payload = (await response.json().catch(() => ({}))) as { error?: string; type?: string; hint?: string };
    if (response.ok) return payload as T;
    throw jobError({ code: payload.type ?? 'INTERNAL', message: payload.error ?? `HTTP ${response.status}`, hint: payload.hint }, this.description,
      response.status === 403 ? 'Outside dev mode the server wants a token with the "jobs" scope: set LAKEHOUSE_API_TOKEN, or CUBEJS_API_SECRET to the server\'s secret.' : undefined);
  }

  private async token(): Promise<string | undefined> {
    if (this.env.LAKEHOUSE_API_TOKEN) return this.env.LAKEHOUSE_API_TOKEN;
    if (!this.env.CUBEJS_API_SECRET) return undefined;
    const claims = { scope: ['jobs'] };
    const namespace = this.env.CUBEJS_JWT_CLAIMS_NAMESPACE;
    let jwt = new SignJWT(namespace ? { [namespace]: claims } : claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m');
    if (this.env.CUBEJS_JWT_AUDIENCE) jwt = jwt.setAudience(this.env.CUBEJS_JWT_AUDIENCE);
    if (this.env.CUBEJS_JWT_ISSUER) jwt = jwt.setIssuer(this.env.CUBEJS_JWT_ISSUER);
    if (this.env.CUBEJS_JWT_SUBJECT) jwt = jwt.setSubject(this.env.CUBEJS_JWT_SUBJECT);
    return jwt.sign(new TextEncoder().encode(this.env.CUBEJS_API_SECRET));
  }
}

/**
 * The running server holding `duckdbPath`, announced in `lakehouseDir`, or undefined: none runs,
 * or it holds another file (the command then opens its own).
 */
export function runningServerFor(lakehouseDir: string, duckdbPath: string): RunningServerClient | undefined {
  const server = findRunningServer(lakehouseDir);
  return server && path.resolve(server.duckdbPath) === path.resolve(duckdbPath) ? new RunningServerClient(server) : undefined;
}

/**
 * Through a running server a command runs with the server's own landing folder, RDS, SQL files,
 * model and rollup store; options that would change those are refused (LAKEHOUSE_BUSY) rather
 * than silently ignored.
 */
export function refuseOptionsThroughServer(client: RunningServerClient, given: readonly string[]): void {
  if (given.length === 0) return;
  throw new UserError('LAKEHOUSE_BUSY',
    `${client.server.duckdbPath} is held by ${client.description}; through it the command uses the server's own settings, so ${given.join(', ')} cannot apply`,
    { hint: 'Drop those options to run through the server, or stop the server and run the command again.' });
}

/** A job's or endpoint's error as the CLI reports it: the server's UserError code kept, a bug as an internal error. */
function jobError(error: { code: string; message: string; hint?: string }, where: string, hint?: string): Error {
  if (error.code in ERROR_CODES) return new UserError(error.code as ErrorCode, error.message, { hint: error.hint ?? hint });
  return new Error(`${where} failed: ${error.message} (see the server's log)`);
}

