/**
 * Prometheus metrics served on /metrics: HTTP requests by route and status with their latency,
 * semantic query durations by API and outcome, and the time of each engine stage by API
 * (`semantic_stage_duration_seconds`, fed by the engine's `observeStage`). One registry per server instance so tests (and
 * several servers in one process) never share counters.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every API records into. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly queryDuration: Histogram<'api' | 'endpoint' | 'outcome'>;
  readonly continueWaits: Counter<'endpoint'>;
  /** Seconds per engine stage (rewrite … shape, engine-types.ts `StageName`) by the API that asked. */
  readonly stageDuration: Histogram<'api' | 'stage'>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Stages take from microseconds (a cached plan) to the query's whole time (execute). */
const STAGE_BUCKETS = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(options: { readonly collectProcessMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: 'semantic_query_duration_seconds',
      help: 'Time the semantic engine spent on a query (load, sql, dry-run, meta)',
      labelNames: ['api', 'endpoint', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    continueWaits: new Counter({
      name: 'rest_continue_wait_total',
      help: 'Responses answered with "Continue wait" while the query kept running',
      labelNames: ['endpoint'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'semantic_stage_duration_seconds',
      help: 'Time one engine stage took for one request (rewrite, normalize, plan, authorize, choose-source, lower, execute, shape), by API',
      labelNames: ['api', 'stage'],
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
  };
}
