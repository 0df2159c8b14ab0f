import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUserError, UserError } from '../errors/user-error.ts';
import { transformAndCheck } from './build-lakehouse.ts';
import type { IngestReport } from './ingest/ingest-types.ts';
import { runIngestion } from './ingest/run-ingestion.ts';
import type { LakehousePaths } from './lakehouse-paths.ts';
import { openLakehouse } from './open-lakehouse.ts';
import { DEFAULT_SQL_DIR, SQL_LAYER_STEPS, type SqlLayer } from './sql-layer-steps.ts';
import { loadEventCatalog, type EventCatalog } from './stream/event-catalog.ts';

/** The lakehouse steps a running server runs for the CLI (`npm run cli -- ingest|transform|check`). */
export const PIPELINE_COMMANDS = ['ingest', 'transform', 'check'] as const;
export type PipelineCommand = (typeof PIPELINE_COMMANDS)[number];

/** One job: the command and its options, as the CLI command takes them. */
export interface PipelineJobRequest {
  readonly command: PipelineCommand;
  /** ingest: only these bronze tables. */
  readonly tables?: readonly string[];
  /** ingest: false skips the RDS extracts (`--no-rds`). */
  readonly rds?: boolean;
  /** transform, check: these layers, in order (default silver, gold). */
  readonly layers?: readonly SqlLayer[];
  /** transform: run each layer's quality checks after it (what `build` does). */
  readonly check?: boolean;
}

/** What a job did: the ingestion report, the layers transformed, or the layers checked. */
export type PipelineJobResult =
  | { readonly ingest: IngestReport }
  | { readonly transformed: readonly SqlLayer[]; readonly checked: boolean; readonly seconds: number }
  | { readonly checked: readonly SqlLayer[] };

/**
 * A job's state. `failure` carries the error's code, message and hint (a UserError's; `INTERNAL`
 * for anything else, which the server also logs).
 */
export interface PipelineJobStatus {
  readonly token: string;
  readonly request: PipelineJobRequest;
  readonly status: 'scheduled' | 'processing' | 'done' | 'failure';
  readonly progress?: { readonly detail: string; readonly done: number; readonly total: number };
  readonly result?: PipelineJobResult;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

const KEPT_JOBS = 200;
const LAYERS: readonly SqlLayer[] = ['silver', 'gold'];

/** Layers from user input, in the order given; an unknown one is a UserError. */
export function checkLayers(layers: readonly string[]): SqlLayer[] {
  const unknown = layers.filter((l) => !LAYERS.includes(l as SqlLayer));
  if (unknown.length > 0) throw new UserError('PIPELINE_INPUT', `Unknown layer(s) ${unknown.join(', ')}; layers are ${LAYERS.join(', ')}`);
  return layers as SqlLayer[];
}

/**
 * Runs lakehouse steps inside the process that holds the lakehouse (the server), one job at a
 * time in arrival order: two ingestions at once would both load the files neither has logged yet.
 * Each job opens its own connection to the shared DuckDB instance and is one transaction per step,
 * as on the CLI, so a failed job leaves the lakehouse as it was. The real-time micro-batches write
 * other tables (bronze.events, silver.eventos, the streaming gold tables) and go on meanwhile.
 */
export class PipelineJobs {
  private readonly jobs = new Map<string, PipelineJobStatus>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: { readonly paths: LakehousePaths; readonly onInternalError?: (error: unknown) => void }) {}

  /** Validates and queues a job; answers its first status (`scheduled`). */
  post(request: PipelineJobRequest): PipelineJobStatus {
    const checked = checkRequest(request);
    const token = randomUUID();
    this.update(token, { token, request: checked, status: 'scheduled' });
    this.queue = this.queue.then(() => this.run(token, checked));
    return this.jobs.get(token)!;
  }

  /** Statuses of the given tokens; an unknown (or forgotten) token is a UserError naming it. */
  get(tokens: readonly string[]): PipelineJobStatus[] {
    return tokens.map((token) => {
      const job = this.jobs.get(token);
      if (!job) throw new UserError('NOT_FOUND', `No pipeline job ${JSON.stringify(token)} (the server keeps the last ${KEPT_JOBS})`);
      return job;
    });
  }

  /** Campaign, product and customer ids for the synthetic event producer (`stream produce`). */
  async eventCatalog(): Promise<EventCatalog> {
    const connection = await openLakehouse(this.options.paths.duckdbPath);
    try {
      return await loadEventCatalog(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Settles when every queued job has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(token: string, request: PipelineJobRequest): Promise<void> {
    const base = this.jobs.get(token)!;
    const progress = (detail: string, done: number, total: number) => this.update(token, { ...base, status: 'processing', progress: { detail, done, total } });
    progress('started', 0, 1);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await openLakehouse(this.options.paths.duckdbPath);
      const result = await this.execute(connection, request, progress);
      this.update(token, { ...base, status: 'done', result });
    } catch (error) {
      if (!isUserError(error)) this.options.onInternalError?.(error);
      const failure = isUserError(error)
        ? { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }
        : { code: 'INTERNAL', message: (error as Error).message ?? String(error) };
      this.update(token, { ...base, status: 'failure', error: failure });
    } finally {
      connection?.closeSync();
    }
  }

  private async execute(connection: DuckDBConnection, request: PipelineJobRequest, progress: (d: string, done: number, total: number) => void): Promise<PipelineJobResult> {
    const { paths } = this.options;
    const layers = request.layers ?? LAYERS;
    if (request.command === 'ingest') {
      const ingest = await runIngestion(connection, {
        landingDir: paths.landingDir, rdsUrl: request.rds === false ? null : paths.rdsUrl, tables: request.tables, onProgress: (e) => progress(e.source, e.done, e.total),
      });
      return { ingest };
    }
    if (request.command === 'transform') {
      const started = performance.now();
      if (request.check) {
        await transformAndCheck(connection, DEFAULT_SQL_DIR, layers, (e) => progress(e.step === 'check' ? `check: ${e.detail}` : e.detail, e.done, e.total));
      } else {
        const steps = SQL_LAYER_STEPS;
        await steps.runTransformations(connection, { sqlDir: DEFAULT_SQL_DIR, layers: [...layers], onProgress: (e) => progress(e.file, e.done, e.total) });
      }
      return { transformed: layers, checked: request.check ?? false, seconds: (performance.now() - started) / 1000 };
    }
    const steps = SQL_LAYER_STEPS;
    for (const [i, layer] of layers.entries()) {
      progress(layer, i, layers.length);
      await steps.runQualityChecks(connection, layer);
    }
    return { checked: layers };
  }

  private update(token: string, status: PipelineJobStatus): void {
    this.jobs.set(token, status);
    while (this.jobs.size > KEPT_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
  }
}

function checkRequest(request: PipelineJobRequest): PipelineJobRequest {
  if (!PIPELINE_COMMANDS.includes(request.command)) {
    throw new UserError('QUERY_INVALID', `"command" must be one of ${PIPELINE_COMMANDS.join(', ')}, got ${JSON.stringify(request.command ?? null)}`);
  }
  const strings = (value: unknown, name: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UserError('QUERY_INVALID', `"${name}" must be an array of strings`);
    return value as string[];
  };
  for (const flag of ['check', 'rds'] as const) {
    if (request[flag] !== undefined && typeof request[flag] !== 'boolean') throw new UserError('QUERY_INVALID', `"${flag}" must be a boolean`);
  }
  const layers = strings(request.layers, 'layers');
  return {
    command: request.command,
    ...(request.tables !== undefined ? { tables: strings(request.tables, 'tables') } : {}),
    ...(layers !== undefined ? { layers: checkLayers(layers) } : {}),
    ...(request.check !== undefined ? { check: request.check } : {}),
    ...(request.rds !== undefined ? { rds: request.rds } : {}),
  };
}
