/**
 * The playground's only way to the server: Cube's public REST API (`/meta`, `/load` with its
 * "Continue wait" protocol, `/sql`, `/explain`) plus the dev-only model status. Every call sends
 * the token from the token input (none needed in dev mode) and measures its own stages with the
 * browser's timing (waiting for the first byte vs. downloading), so the page can show where the
 * time went.
 */
import type { CubeQuery } from '../query/query-types.ts';

export const TOKEN_KEY = 'cubejsToken';

/** Where the REST API lives (written into the page by the server). */
export const REST_BASE = document.querySelector<HTMLMetaElement>('meta[name="rest-base-path"]')?.content || '/cubejs-api/v1';

/** An API error with the server's message and HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** One HTTP round trip as measured in the browser. */
export interface RequestTiming {
  readonly label: string;
  readonly totalMs: number;
  /** Until the response headers arrived (server work + network). */
  readonly waitMs: number;
  /** Reading and parsing the body. */
  readonly readMs: number;
  readonly status: number;
}

export function currentToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

async function request<T>(label: string, url: string, timings?: RequestTiming[], signal?: AbortSignal, post?: unknown): Promise<{ status: number; body: T }> {
  const token = currentToken();
  const started = performance.now();
  const headers: Record<string, string> = token ? { authorization: token } : {};
  if (post !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { headers, ...(signal ? { signal } : {}), ...(post !== undefined ? { method: 'POST', body: JSON.stringify(post) } : {}) });
  const headersAt = performance.now();
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const done = performance.now();
  timings?.push({ label, totalMs: done - started, waitMs: headersAt - started, readMs: done - headersAt, status: response.status });
  if (!response.ok) {
    const message = typeof body === 'object' && body && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${response.status}`;
    throw new ApiError(message, response.status, body);
  }
  return { status: response.status, body: body as T };
}

const queryParam = (query: CubeQuery): string => `query=${encodeURIComponent(JSON.stringify(query))}`;

export async function fetchMeta(): Promise<Meta> {
  return (await request<Meta>('meta', `${REST_BASE}/meta?extended=true`)).body;
}

/** `/load`, asking again while the server answers "Continue wait" (as @cubejs-client/core does). */
export async function load(query: CubeQuery, timings: RequestTiming[], signal?: AbortSignal): Promise<LoadResponse> {
  for (let attempt = 1; ; attempt++) {
    const { body } = await request<LoadResponse | { error: string }>(attempt === 1 ? 'load' : `load (retry ${attempt - 1})`, `${REST_BASE}/load?${queryParam(query)}`, timings, signal);
    if ('error' in body && body.error === 'Continue wait') continue;
    return body as LoadResponse;
  }
}

export async function generatedSql(query: CubeQuery, timings: RequestTiming[]): Promise<SqlResponse> {
  return (await request<SqlResponse>('sql', `${REST_BASE}/sql?${queryParam(query)}`, timings)).body;
}

/** `/explain`; undefined while the endpoint does not exist on this server (404 on the route itself). */
export async function explain(query: CubeQuery, timings: RequestTiming[]): Promise<ExplainResponse | undefined> {
  try {
    return (await request<ExplainResponse>('explain', `${REST_BASE}/explain?${queryParam(query)}`, timings)).body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && /Not found: GET/.test(error.message)) return undefined;
    throw error;
  }
}

/** Every rollup's state, rows, partitions and last error (`GET /pre-aggregations`). */
export async function preAggregationStatus(): Promise<readonly RollupStatus[]> {
  return (await request<{ preAggregations: RollupStatus[] }>('pre-aggregations', `${REST_BASE}/pre-aggregations`)).body.preAggregations;
}

/** Starts builds through Cube's jobs protocol; resolves with the job tokens. */
export async function postBuildJob(selector: { preAggregations: string[]; partitions?: string[] }): Promise<string[]> {
  return (await request<string[]>('jobs', `${REST_BASE}/pre-aggregations/jobs`, undefined, undefined, { action: 'post', selector })).body;
}

export async function buildJobStatus(tokens: readonly string[]): Promise<{ token: string; status: string }[]> {
  return (await request<{ token: string; status: string }[]>('jobs', `${REST_BASE}/pre-aggregations/jobs`, undefined, undefined, { action: 'get', tokens })).body;
}

export async function modelStatus(): Promise<ModelStatus> {
  return (await request<ModelStatus>('model-status', '/playground/api/model-status')).body;
}

export interface MetaMember {
  readonly name: string;
  readonly title: string;
  readonly shortTitle?: string;
  readonly description?: string;
  readonly type: string;
  readonly format?: string;
  readonly isVisible?: boolean;
  readonly public?: boolean;
  readonly granularities?: readonly { name: string; title: string }[];
}

export interface MetaCube {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly type: 'cube' | 'view';
  readonly measures: readonly MetaMember[];
  readonly dimensions: readonly MetaMember[];
  readonly segments: readonly MetaMember[];
  readonly folders?: readonly { name: string; members: readonly string[] }[];
  readonly connectedComponent?: number;
  readonly isVisible?: boolean;
  readonly public?: boolean;
}

export interface Meta {
  readonly cubes: readonly MetaCube[];
}

export interface LoadResult {
  readonly data: readonly Record<string, unknown>[];
  readonly annotation: Record<'measures' | 'dimensions' | 'segments' | 'timeDimensions', Record<string, { title: string; shortTitle: string; type: string; format?: string }>> & {
    /** Dev mode: milliseconds the engine spent per stage (rewrite, normalize, plan, authorize, choose-source, lower, execute, shape). */
    readonly timings?: Readonly<Record<string, number>>;
  };
  readonly usedPreAggregations?: Record<string, { targetTableName: string }>;
  readonly lastRefreshTime?: string;
  readonly slowQuery?: boolean;
  readonly query?: unknown;
}

export type LoadResponse = LoadResult & { readonly results?: readonly LoadResult[] };

export interface SqlResponse {
  readonly sql: { readonly sql: readonly [string, readonly unknown[]]; readonly preAggregations?: readonly unknown[] };
}

export interface ExplainReason {
  readonly code: string;
  readonly message: string;
  readonly member?: string;
}

export interface ExplainResponse {
  readonly query: unknown;
  readonly servedBy: { preAggregation: string; type: string; tableName?: string; partitions?: readonly string[] } | null;
  readonly candidates: readonly { preAggregation: string; served: boolean; reasons: readonly ExplainReason[] }[];
  readonly suggestion?: { cube: string; name: string; yaml: string; definition: unknown };
}

export interface ModelProblemView {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly member?: string;
}

export interface ModelStatus {
  readonly version: string;
  readonly errors: readonly ModelProblemView[];
  readonly warnings: readonly ModelProblemView[];
  readonly joins: readonly { from: string; to: string; relationship: string }[];
}

export interface RollupPartition {
  readonly partition: string;
  readonly from?: string;
  readonly to?: string;
  readonly builtAt: string;
  readonly rowCount: number;
  readonly table: string;
}

export interface RollupStatus {
  readonly id: string;
  readonly state: string;
  readonly lastRefreshAt?: string;
  readonly lastDurationMs?: number;
  readonly rowCount: number;
  readonly partitions: number;
  readonly lastError?: string;
  readonly timeDimension?: string;
  readonly granularity?: string;
  readonly partitionGranularity?: string;
  readonly buildRange?: readonly [string | null, string | null];
  readonly partitionDetails?: readonly RollupPartition[];
  readonly missingPartitions?: readonly string[];
}
