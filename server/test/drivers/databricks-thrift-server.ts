/**
 * A fake Databricks SQL warehouse at the network boundary: an HTTPS server that speaks TCLIService
 * (binary Thrift in HTTP POST bodies, bearer token in `Authorization`) with the definitions
 * `@databricks/sql` ships, so tests drive the real client library and our driver over a socket.
 *
 * It answers in two ways:
 * - replay: exchanges recorded from a real server (see record-spark-exchanges.ts) are served in
 *   order, each reply re-addressed to the request's sequence id; a request for another method than
 *   the recording holds is answered 500 and logged in `replayProblems`. Status polls may repeat
 *   (how often a client polls depends on timing), so a repeated poll gets the last poll's reply.
 * - scripted: statements listed in `statements` get their scripted answer the way a warehouse
 *   gives it (asynchronous execution, polls, result metadata, fetches in batches, Arrow or
 *   column-based rows, cancellation, SQL errors with SQLSTATE; Arrow batches LZ4-frame-compressed
 *   when the client says it can decompress them, as a warehouse does); `SET TIME ZONE '<zone>'`, unless
 *   scripted, sets the session's zone (`timeZones`) and finishes as Spark's does (FINISHED with a
 *   result set: the key and value set); other statements get `otherStatements`, by default
 *   TABLE_OR_VIEW_NOT_FOUND (42P01) as an unknown table would.
 * TLS: it serves the test-only self-signed certificate of fixtures/ (CA:TRUE, for 127.0.0.1 and
 * localhost), which nothing trusts unless told to: clients pass `FAKE_WAREHOUSE_CA` (the driver's
 * `ca`, the client's `customCaCert`). `certificate: 'other-host'` serves one issued for
 * warehouse.invalid instead (trusted through `OTHER_HOST_CA`, it still fails the host name check).
 * HTTP-level failures are injected with `failNext` (503 with Retry-After, 429, 401/403 …) and
 * tokens are checked on every request (`revokeToken` makes a token expire mid-session).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readCall, readMessageHeader, T, withSeqid, writeReply } from './thrift-cli-codec.ts';
import { arrowRowSet, arrowSchemaBytes, columnRowSet, tableSchema, type FakeColumn, type FakeValue } from './thrift-result-sets.ts';

/** One recorded HTTP exchange: the Thrift method, the HTTP status and both bodies (base64). */
export interface RecordedExchange {
  readonly method: string;
  readonly status: number;
  /** The request's place in arrival order, and how many requests had arrived when the reply was sent. */
  readonly arrival?: number;
  readonly repliedAfterRequests?: number;
  readonly request: string;
  readonly response: string;
  /** What the upstream server sent, when the recorder adapted it (see record-spark-exchanges.ts). */
  readonly upstreamResponse?: string;
}

/** How the fake warehouse answers one statement text. */
export interface ScriptedStatement {
  readonly columns?: readonly FakeColumn[];
  readonly rows?: readonly (readonly FakeValue[])[];
  /** 'arrow' (what a warehouse sends a client that reads Arrow) or 'column' (Hive column sets). */
  readonly format?: 'arrow' | 'column';
  /** At most this many rows per FetchResults, whatever the client asks for. */
  readonly batchRows?: number;
  /** GetOperationStatus answers RUNNING this many times before the final state. */
  readonly runningPolls?: number;
  /** Stays RUNNING until cancelled. */
  readonly runsUntilCancelled?: boolean;
  /** Ends in ERROR_STATE with this SQLSTATE and message. */
  readonly error?: { readonly sqlState: string; readonly message: string; readonly displayMessage?: string };
}

/** An HTTP failure answered instead of the next matching request(s). */
export interface HttpFault {
  readonly status: number;
  readonly times: number;
  /** Only requests for this Thrift method (all, when absent). */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface FakeWarehouseOptions {
  /** Bearer tokens accepted (default: `FAKE_TOKEN`). */
  readonly tokens?: readonly string[];
  readonly statements?: Readonly<Record<string, ScriptedStatement>>;
  /** The answer to statements not in `statements` (default: TABLE_OR_VIEW_NOT_FOUND, 42P01). */
  readonly otherStatements?: ScriptedStatement;
  readonly replay?: readonly RecordedExchange[];
  /** The certificate served (default 'localhost': valid for 127.0.0.1). */
  readonly certificate?: 'localhost' | 'other-host';
}

export interface FakeWarehouse {
  /** `https://127.0.0.1:<port>/sql/1.0/warehouses/fake` (CUBEJS_DB_DATABRICKS_URL form). */
  readonly url: string;
  readonly port: number;
  /** Every POST in arrival order: the Thrift method and the HTTP status answered. */
  readonly requests: { method: string; status: number }[];
  /** Statements executed, with the parameters bound to them (values as sent; in replay too). */
  readonly executed: { statement: string; parameters: { type?: string; value?: string }[]; session: string; canDecompressLz4: boolean }[];
  /** Each session's time zone as `SET TIME ZONE` left it (scripted mode), by session key. */
  readonly timeZones: ReadonlyMap<string, string>;
  /** Statements whose operation was cancelled (CancelOperation). */
  readonly cancelled: string[];
  /** Requests that did not match the replayed recording. */
  readonly replayProblems: string[];
  /** Non-POST requests (the client's own side channels, e.g. feature flags), method and path. */
  readonly sideRequests: string[];
  failNext(fault: HttpFault): void;
  revokeToken(token: string): void;
  /** Forgets every open session, as a warehouse does after its idle timeout or a restart. */
  expireSessions(): void;
  openSessions(): number;
  close(): Promise<void>;
}

export const FAKE_TOKEN = 'dapi-fake-warehouse-token';
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
// The LZ4 frame codec the client decodes with (lz4-napi, its optional dependency since 2.0).
const lz4 = createRequire(createRequire(import.meta.url).resolve('@databricks/sql'))('lz4-napi') as { compressFrameSync(data: Buffer): Buffer };
/** The fake's (and the Spark bridge's) self-signed certificate as a CA setting: what a driver needs to trust them. */
export const FAKE_WAREHOUSE_CA = { file: `${FIXTURES}localhost-test-only.crt` } as const;
/** The self-signed certificate served with `certificate: 'other-host'` (issued for warehouse.invalid only). */
export const OTHER_HOST_CA = { file: `${FIXTURES}other-host-test-only.crt` } as const;

interface Operation {
  readonly statement: string;
  readonly script: ScriptedStatement;
  polls: number;
  fetched: number;
  cancelled: boolean;
  /** Arrow batches sent LZ4-compressed (the client announced `canDecompressLZ4Result`). */
  readonly lz4: boolean;
}

const ok = (): unknown => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
const key = (handle: { guid?: Buffer } | undefined): string => handle?.guid?.toString('hex') ?? '';
// The client prints handles as UUIDs (and refuses bytes that are not one).
const newHandle = (): unknown => new T.THandleIdentifier({ guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), secret: randomBytes(16) });

export async function startFakeWarehouse(options: FakeWarehouseOptions = {}): Promise<FakeWarehouse> {
  const tokens = new Set(options.tokens ?? [FAKE_TOKEN]);
  const faults: { fault: HttpFault; left: number }[] = [];
  const sessions = new Set<string>();
  const timeZones = new Map<string, string>();
  const operations = new Map<string, Operation>();
  const requests: FakeWarehouse['requests'] = [];
  const executed: FakeWarehouse['executed'] = [];
  const cancelled: string[] = [];
  const replayProblems: string[] = [];
  const sideRequests: string[] = [];
  const replay = { next: 0, arrivals: 0, lastPoll: undefined as RecordedExchange | undefined, waiting: [] as (() => void)[] };
  const wake = (): void => replay.waiting.splice(0).forEach((resolve) => resolve());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const handlers: Record<string, (req: any) => unknown> = {
    OpenSession: () => {
      const handle = newHandle() as { guid: Buffer };
      sessions.add(key(handle));
      return { status: ok(), serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8, sessionHandle: new T.TSessionHandle({ sessionId: handle }) };
    },
    CloseSession: (req) => {
      sessions.delete(key(req.sessionHandle?.sessionId));
      timeZones.delete(key(req.sessionHandle?.sessionId));
      return { status: ok() };
    },
    ExecuteStatement: (req) => {
      const session = key(req.sessionHandle?.sessionId);
      if (!sessions.has(session)) return { status: invalidHandle('Invalid SessionHandle') };
      const statement = recordExecuted(req);
      const zone = /^SET TIME ZONE '([^']+)'$/i.exec(statement)?.[1];
      let script = options.statements?.[statement];
      if (!script && zone) {
        timeZones.set(session, zone);
        script = { columns: [{ name: 'key', type: 'STRING' }, { name: 'value', type: 'STRING' }], rows: [['spark.sql.session.timeZone', zone]], format: 'arrow' };
      }
      script ??= options.otherStatements ?? { error: { sqlState: '42P01', message: `[TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found. SQL: ${statement}` } };
      const handle = newHandle();
      const lz4Results = req.canDecompressLZ4Result === true && (script.format ?? 'arrow') === 'arrow';
      operations.set(key(handle as { guid: Buffer }), { statement, script, polls: 0, fetched: 0, cancelled: false, lz4: lz4Results });
      return { status: ok(), operationHandle: new T.TOperationHandle({ operationId: handle, operationType: T.TOperationType.EXECUTE_STATEMENT, hasResultSet: true }) };
    },
    GetOperationStatus: (req) => {
      const op = operations.get(key(req.operationHandle?.operationId));
      if (!op) return { status: invalidHandle('Invalid OperationHandle') };
      op.polls++;
      if (op.cancelled) return { status: ok(), operationState: T.TOperationState.CANCELED_STATE };
      if (op.script.runsUntilCancelled || op.polls <= (op.script.runningPolls ?? 0)) return { status: ok(), operationState: T.TOperationState.RUNNING_STATE };
      const { error } = op.script;
      if (error) return { status: ok(), operationState: T.TOperationState.ERROR_STATE, sqlState: error.sqlState, errorCode: 0, errorMessage: error.message, displayMessage: error.displayMessage };
      return { status: ok(), operationState: T.TOperationState.FINISHED_STATE, hasResultSet: true };
    },
    GetResultSetMetadata: (req) => {
      const op = operations.get(key(req.operationHandle?.operationId));
      if (!op) return { status: invalidHandle('Invalid OperationHandle') };
      const columns = op.script.columns ?? [];
      const arrow = (op.script.format ?? 'arrow') === 'arrow';
      return {
        status: ok(),
        schema: tableSchema(columns),
        resultFormat: arrow ? T.TSparkRowSetType.ARROW_BASED_SET : T.TSparkRowSetType.COLUMN_BASED_SET,
        lz4Compressed: op.lz4,
        ...(arrow ? { arrowSchema: arrowSchemaBytes(columns) } : {}),
      };
    },
    FetchResults: (req) => {
      const op = operations.get(key(req.operationHandle?.operationId));
      if (!op) return { status: invalidHandle('Invalid OperationHandle') };
      const rows = op.script.rows ?? [];
      const columns = op.script.columns ?? [];
      const asked = Number(req.maxRows?.toNumber?.() ?? rows.length);
      const to = Math.min(rows.length, op.fetched + Math.min(asked, op.script.batchRows ?? Infinity));
      const from = op.fetched;
      op.fetched = to;
      const results = (op.script.format ?? 'arrow') === 'arrow' ? arrowRowSet(columns, rows, from, to) : columnRowSet(columns, rows, from, to);
      if (op.lz4) for (const b of (results as { arrowBatches: { batch: Buffer }[] }).arrowBatches) b.batch = lz4.compressFrameSync(b.batch);
      return { status: ok(), hasMoreRows: to < rows.length, results };
    },
    CancelOperation: (req) => {
      const op = operations.get(key(req.operationHandle?.operationId));
      if (op) { op.cancelled = true; cancelled.push(op.statement); }
      return { status: ok() };
    },
    CloseOperation: (req) => {
      operations.delete(key(req.operationHandle?.operationId));
      return { status: ok() };
    },
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function recordExecuted(req: any): string {
    const statement = String(req.statement);
    const parameters = (req.parameters ?? []).map((p: { type?: string; value?: { stringValue?: string } }) => ({ type: p.type ?? undefined, value: p.value?.stringValue ?? undefined }));
    executed.push({ statement, parameters, session: key(req.sessionHandle?.sessionId), canDecompressLz4: req.canDecompressLZ4Result === true });
    return statement;
  }

  async function answerReplay(body: Buffer): Promise<{ status: number; body: Buffer }> {
    const { name, seqid } = readMessageHeader(body);
    if (name === 'ExecuteStatement') recordExecuted(readCall(body).req);
    replay.arrivals++;
    wake();
    const recorded = options.replay ?? [];
    let exchange = recorded[replay.next];
    // A client polls as often as timing makes it: skip recorded polls it did not make, repeat ones it makes again.
    while (exchange && exchange.method !== name && exchange.method === 'GetOperationStatus') exchange = recorded[++replay.next];
    if (exchange?.method === name) replay.next++;
    // A poll whose timer fired late (after the cancel or close that followed it in the recording) gets the last poll's answer.
    else if (name === 'GetOperationStatus' && replay.lastPoll) exchange = replay.lastPoll;
    else {
      replayProblems.push(`request ${name} where the recording has ${exchange?.method ?? 'nothing more'}`);
      return { status: 500, body: Buffer.from('not in the recording') };
    }
    if (name === 'GetOperationStatus') replay.lastPoll = exchange;
    // A reply the server sent only after later requests came (a long poll answered by a cancel) waits for them.
    const after = exchange.repliedAfterRequests ?? 0;
    const deadline = Date.now() + 5_000;
    while (replay.arrivals < after && Date.now() < deadline) await new Promise<void>((resolve) => { replay.waiting.push(resolve); setTimeout(resolve, 100); });
    if (replay.arrivals < after) replayProblems.push(`${name} reply waited 5 s for request ${after} of the recording, which never came`);
    return { status: exchange.status, body: exchange.status === 200 ? withSeqid(Buffer.from(exchange.response, 'base64'), seqid) : Buffer.from(exchange.response, 'base64') };
  }

  async function answer(body: Buffer): Promise<{ status: number; body: Buffer }> {
    if (options.replay) return answerReplay(body);
    const call = readCall(body);
    const handler = handlers[call.header.name];
    if (!handler) return { status: 500, body: Buffer.from(`method ${call.header.name} not faked`) };
    return { status: 200, body: writeReply(call.header.name, call.header.seqid, handler(call.req)) };
  }

  const certificate = `${FIXTURES}${options.certificate ?? 'localhost'}-test-only`;
  const server: Server = createServer({ key: readFileSync(`${certificate}.key`), cert: readFileSync(`${certificate}.crt`) }, (req, res) => {
    if (req.method !== 'POST') {
      sideRequests.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = readMessageHeader(body).name;
      const reply = (status: number, payload: Buffer | string, headers: Record<string, string> = {}): void => {
        requests.push({ method, status });
        res.writeHead(status, { 'content-type': 'application/x-thrift', ...headers }).end(payload);
      };
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !tokens.has(token)) return reply(token ? 403 : 401, token ? 'Invalid access token.' : 'Missing access token.');
      const fault = faults.find((f) => f.left > 0 && (!f.fault.method || f.fault.method === method));
      if (fault) {
        fault.left--;
        return reply(fault.fault.status, fault.fault.body ?? '', { ...fault.fault.headers });
      }
      void answer(body).then(({ status, body: out }) => reply(status, out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/sql/1.0/warehouses/fake`,
    port,
    requests,
    executed,
    timeZones,
    cancelled,
    replayProblems,
    sideRequests,
    failNext: (fault) => void faults.push({ fault, left: fault.times }),
    revokeToken: (token) => void tokens.delete(token),
    expireSessions: () => { sessions.clear(); timeZones.clear(); operations.clear(); },
    openSessions: () => sessions.size,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function invalidHandle(message: string): unknown {
  return new T.TStatus({ statusCode: T.TStatusCode.INVALID_HANDLE_STATUS, errorMessage: message, sqlState: 'HY000' });
}

/** Reads a recording from fixtures/ (`spark-driver-types` → fixtures/spark-driver-types.json). */
export function loadRecording(name: string): RecordedExchange[] {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as RecordedExchange[];
}
