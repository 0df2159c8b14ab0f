/**
 * A local stand-in for Amazon Athena, the way kinesalite stands in for Kinesis: an HTTP server
 * speaking Athena's AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target: AmazonAthena.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, errors as HTTP 400 with `__type`) for the four
 * operations the driver uses, with the shapes of the SDK's model:
 * - StartQueryExecution → `{ QueryExecutionId }` (idempotent on `ClientRequestToken`); needs an
 *   output location from the request or the workgroup, as Athena does;
 * - GetQueryExecution → `QueryExecution.Status` going QUEUED → RUNNING → SUCCEEDED | FAILED |
 *   CANCELLED, with `StateChangeReason` and `AthenaError { ErrorCategory, ErrorType }`;
 * - GetQueryResults → pages of at most `MaxResults` (1..1000, default 1000) rows with `NextToken`,
 *   the header row first, `ResultSetMetadata.ColumnInfo` on each page;
 * - StopQueryExecution → CANCELLED.
 * Statements really run on an in-process DuckDB holding the dataset `setup` loads, with the
 * `ExecutionParameters` literals bound as parameters; DuckDB's parser and catalog errors become
 * Athena's syntax (1006) and not-found (1110) user errors. Conditions a test asks for: queued or
 * running for N polls (`script`), throttled calls (`throttle`), an output bucket without
 * permission (`deniedOutputPrefixes` → 1501), requests not signed (SigV4) with the configured credentials (UnrecognizedClientException,
 * InvalidSignatureException),
 * a stop from outside (`stop`). Every call is recorded in `calls` with its arrival time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { athenaResultText, type AthenaResultText } from './athena-result-text.ts';
import { readAthenaLiteral } from './athena-literals.ts';
import { verifySigV4 } from './sigv4-verify.ts';

/** How many GetQueryExecution polls a query spends in each state before its outcome shows. */
export interface ExecutionScript {
  readonly queuedPolls?: number;
  /** `Infinity`: RUNNING until StopQueryExecution. */
  readonly runningPolls?: number;
}

export interface AthenaEndpointOptions {
  /** Loads the dataset (schemas named like Athena databases). */
  readonly setup: (connection: DuckDBConnection) => Promise<void>;
  /** Workgroups and their configured output location (default: `primary` without one). */
  readonly workGroups?: Readonly<Record<string, { readonly outputLocation?: string }>>;
  /** Output locations the endpoint's "IAM role" may not write: queries there fail with 1501. */
  readonly deniedOutputPrefixes?: readonly string[];
  /** Access key id → secret: every request's SigV4 signature is verified against them. */
  readonly credentials: Readonly<Record<string, string>>;
}

/** One API call as received. */
export interface RecordedCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** HTTP status answered. */
  status: number;
  /** `performance.now()` at arrival. */
  readonly at: number;
}

type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
/** `QueryExecution.StatementType` and `SubstatementType`. */
interface StatementKind { readonly type: 'DML' | 'DDL' | 'UTILITY'; readonly subtype: string }
interface AthenaErrorShape { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string }
type Outcome = { ok: true; result: AthenaResultText } | { ok: false; reason: string; error: AthenaErrorShape };

interface Execution {
  readonly id: string;
  readonly input: Record<string, unknown>;
  readonly workGroup: string;
  readonly outputLocation: string;
  readonly statement: StatementKind;
  readonly script: Required<ExecutionScript>;
  readonly submitted: number;
  readonly outcome: Promise<Outcome>;
  state: State;
  polls: number;
  reason?: string;
  error?: AthenaErrorShape;
  result?: AthenaResultText;
  completed?: number;
  connection?: DuckDBConnection;
}

// Errors of the AWS front door rather than Athena's model: their member is `message`, Athena's own `Message`.
const GENERIC_ERRORS = new Set(['ThrottlingException', 'UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException', 'UnknownOperationException', 'SerializationException']);

/** Thrown inside a handler: answered as HTTP 400 with Athena's error body. */
class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

export class AthenaEndpoint {
  readonly calls: RecordedCall[] = [];
  private readonly executions = new Map<string, Execution>();
  private readonly byToken = new Map<string, string>();
  private readonly throttled: { operation: string; remaining: number; type: string }[] = [];
  private nextScript: Required<ExecutionScript> = { queuedPolls: 0, runningPolls: 0 };

  private constructor(
    private readonly server: Server,
    private readonly db: DuckDBInstance,
    private readonly options: AthenaEndpointOptions,
  ) {}

  static async start(options: AthenaEndpointOptions): Promise<AthenaEndpoint> {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    await options.setup(connection);
    connection.closeSync();
    const server = createServer();
    const endpoint = new AthenaEndpoint(server, db, options);
    server.on('request', (req, res) => void endpoint.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queries started from now on follow `script`. */
  script(script: ExecutionScript): void {
    this.nextScript = { queuedPolls: script.queuedPolls ?? 0, runningPolls: script.runningPolls ?? 0 };
  }

  /** The next `times` calls of `operation` answer HTTP 400 with `type` (ThrottlingException: "Rate exceeded"). */
  throttle(operation: string, times: number, type: 'ThrottlingException' | 'TooManyRequestsException' = 'ThrottlingException'): void {
    this.throttled.push({ operation, remaining: times, type });
  }

  /** Calls of one operation. */
  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** The state of an execution (as GetQueryExecution would report it, without counting a poll). */
  stateOf(id: string): State | undefined {
    return this.executions.get(id)?.state;
  }

  /** Ids of every execution started, in order. */
  executionIds(): string[] {
    return [...this.executions.keys()];
  }

  /** Cancels a query as someone else would (the console, another client). */
  stop(id: string): void {
    const execution = this.executions.get(id);
    if (!execution || isTerminal(execution.state)) return;
    execution.state = 'CANCELLED';
    execution.reason = 'Query cancelled by user';
    execution.completed = Date.now();
    execution.connection?.interrupt();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await Promise.all([...this.executions.values()].map((e) => e.outcome.catch(() => undefined)));
    this.db.closeSync();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonAthena.') ? target.slice('AmazonAthena.'.length) : target;
    let input: Record<string, unknown> = {};
    const call: RecordedCall = { operation, input, status: 200, at: performance.now() };
    this.calls.push(call);
    try {
      if (req.method !== 'POST' || req.url !== '/') throw new ApiError('UnknownOperationException', `${req.method} ${req.url} is not an Athena operation`);
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) throw new ApiError('SerializationException', 'Expected Content-Type application/x-amz-json-1.1');
      const body = Buffer.concat(chunks);
      const signed = verifySigV4(req, body, 'athena', this.options.credentials);
      if (!signed.ok) throw new ApiError(signed.error, signed.message);
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      Object.assign(call, { input });
      this.takeThrottle(operation);
      const output = await this.dispatch(operation, input);
      this.reply(res, 200, output);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('InternalServerException', (error as Error).message);
      call.status = 400;
      const body = GENERIC_ERRORS.has(e.type)
        ? { __type: e.type, message: e.message }
        : { __type: e.type, Message: e.message, ...e.extra };
      this.reply(res, 400, body);
    }
  }

  private reply(res: ServerResponse, status: number, body: object): void {
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
    res.end(JSON.stringify(body));
  }

  private takeThrottle(operation: string): void {
    const rule = this.throttled.find((t) => t.operation === operation && t.remaining > 0);
    if (!rule) return;
    rule.remaining--;
    if (rule.type === 'ThrottlingException') throw new ApiError('ThrottlingException', 'Rate exceeded');
    throw new ApiError('TooManyRequestsException', 'You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account.', { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
  }

  private async dispatch(operation: string, input: Record<string, unknown>): Promise<object> {
    switch (operation) {
      case 'StartQueryExecution': return this.startQueryExecution(input);
      case 'GetQueryExecution': return this.getQueryExecution(input);
      case 'GetQueryResults': return this.getQueryResults(input);
      case 'StopQueryExecution': {
        this.stop(this.execution(input).id);
        return {};
      }
      default: throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  private startQueryExecution(input: Record<string, unknown>): object {
    const sql = input.QueryString;
    if (typeof sql !== 'string' || sql.length === 0) throw new ApiError('InvalidRequestException', "1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null", { AthenaErrorCode: 'INVALID_INPUT' });
    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const seen = token ? this.byToken.get(token) : undefined;
    if (seen) return { QueryExecutionId: seen };
    const workGroup = typeof input.WorkGroup === 'string' ? input.WorkGroup : 'primary';
    const groups = this.options.workGroups ?? { primary: {} };
    if (!groups[workGroup]) throw new ApiError('InvalidRequestException', `WorkGroup ${workGroup} is not found.`, { AthenaErrorCode: 'INVALID_INPUT' });
    const requested = (input.ResultConfiguration as { OutputLocation?: string } | undefined)?.OutputLocation;
    const outputLocation = requested ?? groups[workGroup]!.outputLocation;
    if (!outputLocation) {
      throw new ApiError('InvalidRequestException', 'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.', { AthenaErrorCode: 'INVALID_INPUT' });
    }
    const id = randomUUID();
    const pending: Omit<Execution, 'outcome'> = {
      id, input, workGroup, outputLocation, statement: statementKind(sql), script: this.nextScript, submitted: Date.now(), state: 'QUEUED', polls: 0,
    };
    const execution: Execution = Object.assign(pending, { outcome: this.run(pending, sql) });
    this.executions.set(id, execution);
    if (token) this.byToken.set(token, id);
    return { QueryExecutionId: id };
  }

  /** Runs the statement on DuckDB at once; its outcome shows when the script lets it. */
  private async run(execution: Omit<Execution, 'outcome'>, sql: string): Promise<Outcome> {
    if (this.options.deniedOutputPrefixes?.some((p) => execution.outputLocation.startsWith(p))) {
      return userFailure(1501, `Access denied when writing output to url: ${execution.outputLocation.replace(/\/?$/, '/')}${execution.id}.csv . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key`);
    }
    const literals = (execution.input.ExecutionParameters as string[] | undefined) ?? [];
    const values = literals.map(readAthenaLiteral);
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) return userFailure(1100, `INVALID_FUNCTION_ARGUMENT: execution parameter ${bad + 1} is not a literal: ${literals[bad]}`);
    const connection = await this.db.connect();
    execution.connection = connection;
    try {
      const database = (execution.input.QueryExecutionContext as { Database?: string } | undefined)?.Database;
      if (database) {
        const found = await connection.runAndReadAll('SELECT 1 FROM duckdb_schemas() WHERE schema_name = ?', [database]);
        if (found.currentRowCount === 0) return userFailure(1110, `SCHEMA_NOT_FOUND: Schema '${database}' does not exist`);
        // The name exists in the catalog (checked with a bound parameter): quoted, it is one identifier.
        await connection.run(`USE "${database.replace(/"/g, '""')}"`);
      }
      const result = await connection.runAndReadAll(sql, values as (string | number | bigint | boolean | null)[]);
      return { ok: true, result: athenaResultText(result, execution.statement.subtype === 'SELECT') };
    } catch (error) {
      return engineFailure((error as Error).message);
    } finally {
      execution.connection = undefined;
      connection.closeSync();
    }
  }

  private async getQueryExecution(input: Record<string, unknown>): Promise<object> {
    const execution = this.execution(input);
    if (!isTerminal(execution.state)) {
      execution.polls++;
      const { queuedPolls, runningPolls } = execution.script;
      if (execution.polls <= queuedPolls) execution.state = 'QUEUED';
      else if (execution.polls <= queuedPolls + runningPolls) execution.state = 'RUNNING';
      else {
        const outcome = await execution.outcome;
        if (!isTerminal(execution.state)) this.settle(execution, outcome);
      }
    }
    return { QueryExecution: describe(execution) };
  }

  private settle(execution: Execution, outcome: Outcome): void {
    execution.completed = Date.now();
    if (outcome.ok) {
      execution.state = 'SUCCEEDED';
      execution.result = outcome.result;
    } else {
      execution.state = 'FAILED';
      execution.reason = outcome.reason;
      execution.error = outcome.error;
    }
  }

  private getQueryResults(input: Record<string, unknown>): object {
    const execution = this.execution(input);
    const max = input.MaxResults === undefined ? 1000 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new ApiError('InvalidRequestException', `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`, { AthenaErrorCode: 'INVALID_INPUT' });
    }
    if (execution.state !== 'SUCCEEDED') {
      const message = isTerminal(execution.state)
        ? `Query did not finish successfully. Final query state: ${execution.state}${execution.reason ? `\n${execution.reason}` : ''}`
        : `Query has not yet finished. Current state: ${execution.state}`;
      throw new ApiError('InvalidRequestException', message, { AthenaErrorCode: 'INVALID_INPUT' });
    }
    const offset = input.NextToken === undefined ? 0 : readToken(String(input.NextToken), execution.id);
    const { rows, columns } = execution.result!;
    const end = offset + max;
    return {
      UpdateCount: 0,
      ResultSet: { Rows: rows.slice(offset, end), ResultSetMetadata: { ColumnInfo: columns } },
      ...(end < rows.length ? { NextToken: Buffer.from(JSON.stringify({ id: execution.id, offset: end })).toString('base64') } : {}),
    };
  }

  private execution(input: Record<string, unknown>): Execution {
    const id = input.QueryExecutionId;
    const execution = typeof id === 'string' ? this.executions.get(id) : undefined;
    if (!execution) throw new ApiError('InvalidRequestException', `QueryExecution ${String(id)} was not found`, { AthenaErrorCode: 'INVALID_INPUT' });
    return execution;
  }
}

function isTerminal(state: State): boolean {
  return state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';
}

function describe(e: Execution): object {
  const seconds = (ms: number): number => ms / 1000;
  const context = e.input.QueryExecutionContext as object | undefined;
  return {
    QueryExecutionId: e.id,
    Query: e.input.QueryString,
    StatementType: e.statement.type,
    SubstatementType: e.statement.subtype,
    ResultConfiguration: { OutputLocation: `${e.outputLocation.replace(/\/?$/, '/')}${e.id}.csv` },
    ...(context ? { QueryExecutionContext: context } : {}),
    Status: {
      State: e.state,
      ...(e.reason ? { StateChangeReason: e.reason } : {}),
      SubmissionDateTime: seconds(e.submitted),
      ...(e.completed ? { CompletionDateTime: seconds(e.completed) } : {}),
      ...(e.error ? { AthenaError: e.error } : {}),
    },
    WorkGroup: e.workGroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
    ...(e.input.ExecutionParameters ? { ExecutionParameters: e.input.ExecutionParameters } : {}),
  };
}

/** Athena's classification of a statement by its first keyword (SELECT results alone carry a header row). */
function statementKind(sql: string): StatementKind {
  const [keyword = '', next = ''] = sql.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '').toUpperCase().split(/\s+/);
  if (keyword === 'SHOW') return { type: 'UTILITY', subtype: `SHOW_${next}` };
  if (keyword === 'DESCRIBE' || keyword === 'DESC') return { type: 'UTILITY', subtype: 'DESCRIBE_TABLE' };
  if (keyword === 'EXPLAIN') return { type: 'UTILITY', subtype: 'EXPLAIN' };
  if (['CREATE', 'DROP', 'ALTER'].includes(keyword)) return { type: 'DDL', subtype: `${keyword}_${next}` };
  if (keyword === 'INSERT') return { type: 'DML', subtype: 'INSERT' };
  return { type: 'DML', subtype: 'SELECT' };
}

function userFailure(type: number, reason: string): Outcome {
  return { ok: false, reason, error: { ErrorCategory: 2, ErrorType: type, Retryable: false, ErrorMessage: reason } };
}

/** DuckDB's error message → Athena's classification: parser → 1006 syntax, catalog → 1110 not found. */
function engineFailure(message: string): Outcome {
  const first = message.split('\n')[0]!;
  const [, kind, text] = /(\w+) Error: (.*)$/.exec(first) ?? [undefined, '', first];
  if (kind === 'Parser') return userFailure(1006, `SYNTAX_ERROR: ${text}`);
  if (kind === 'Catalog') return userFailure(1110, `TABLE_NOT_FOUND: ${text}`);
  if (kind === 'INTERNAL') return { ok: false, reason: text!, error: { ErrorCategory: 1, ErrorType: 200, Retryable: true, ErrorMessage: text! } };
  return userFailure(1000, `GENERIC_USER_ERROR: ${first}`);
}

function readToken(token: string, id: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { id?: string; offset?: number };
    if (parsed.id === id && Number.isInteger(parsed.offset)) return parsed.offset!;
  } catch {
    // falls through to the error below
  }
  throw new ApiError('InvalidRequestException', 'The NextToken is invalid', { AthenaErrorCode: 'INVALID_INPUT' });
}
