/**
 * Lets `@databricks/sql` (and so DatabricksDriver) talk to a Spark Thrift Server (Spark's
 * HiveThriftServer2 in HTTP transport mode over TLS): an HTTPS proxy that forwards TCLIService
 * calls unchanged except where Spark's HiveServer2 dialect and the Databricks client disagree.
 *
 * - OpenSession: the client sends `client_protocol = -7` ("read the 64-bit field", a Databricks
 *   extension), which Hive's IDL refuses ("Required field 'client_protocol' is unset"); the bridge
 *   sends HIVE_CLI_SERVICE_PROTOCOL_V10.
 * - GetResultSetMetadata: Spark sends no `resultFormat` (the client requires it: Spark's rows are
 *   always column-based) and numbers columns from 0 where the client reads `position - 1`.
 * - Parameters (`bindParameters`): a Hive-protocol server gets no parameters from the client (it
 *   sends them only to SPARK_CLI_SERVICE_PROTOCOL_V8 servers), so the bridge announces V8 and puts
 *   each bound value into the statement as a Spark literal — a test stand-in for the binding a
 *   Databricks warehouse does itself; nothing outside tests should splice values.
 *
 * The bridge serves the same test-only certificate as the fake warehouse: drivers reach it with
 * its `ca`, as they would a warehouse behind a private
 * CA. Its own hop to Spark does not verify Spark's throwaway keystore (generated per run by
 * scripts/lib-spark-thrift.sh, CN only): it is a loopback test harness carrying no real credential.
 *
 * Spark's HTTP mode without authentication still decodes `Authorization` as Basic credentials:
 * connect with `SPARK_TOKEN` (base64 of "user:password", read after the 7-character "Bearer ").
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readCall, readMessageHeader, readReply, T, writeCall, writeReply } from './thrift-cli-codec.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A token Spark's password-less HTTP mode accepts (it reads it as Basic credentials "token:spark"). */
export const SPARK_TOKEN = Buffer.from('token:spark').toString('base64');

/** One call through the bridge: what the client sent and what it got back (both as on the wire to the client). */
export interface BridgedExchange {
  readonly method: string;
  readonly status: number;
  /** The request's place in arrival order, and how many requests had arrived when the reply was sent. */
  readonly arrival: number;
  readonly repliedAfterRequests: number;
  readonly request: Buffer;
  readonly response: Buffer;
  /** Spark's reply before the bridge adapted it (only when different). */
  readonly upstreamResponse?: Buffer;
}

export interface SparkThriftBridgeOptions {
  /** The Spark Thrift Server's URL, e.g. `https://127.0.0.1:10001/cliservice`. */
  readonly target: string;
  /** Announce protocol V8 and bind `ordinalParameters` as literals (default true). */
  readonly bindParameters?: boolean;
  readonly onExchange?: (exchange: BridgedExchange) => void;
}

export interface SparkThriftBridge {
  /** `https://127.0.0.1:<port>/cliservice`, for CUBEJS_DB_DATABRICKS_URL. */
  readonly url: string;
  /** The bridge's self-signed certificate as a CA setting (the driver's `ca`, CUBEJS_DB_DATABRICKS_CA). */
  readonly ca: { readonly file: string };
  close(): Promise<void>;
}

export async function startSparkThriftBridge(options: SparkThriftBridgeOptions): Promise<SparkThriftBridge> {
  const bind = options.bindParameters ?? true;
  let arrivals = 0;
  const server = createServer({ key: readFileSync(`${FIXTURES}localhost-test-only.key`), cert: readFileSync(`${FIXTURES}localhost-test-only.crt`) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const arrival = arrivals++;
      let method = 'unknown';
      let forwarded: Buffer;
      try {
        const call = readCall(body);
        method = call.header.name;
        forwarded = adaptSparkCall(method, call.header.seqid, call.req, body);
      } catch (error) {
        res.writeHead(400).end(`not a TCLIService call: ${(error as Error).message}`);
        return;
      }
      const upstream = request(options.target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-thrift', authorization: req.headers.authorization ?? '', 'content-length': forwarded.length },
        rejectUnauthorized: false,
        agent: false as unknown as Agent,
      }, (reply) => {
        const parts: Buffer[] = [];
        reply.on('data', (c: Buffer) => parts.push(c));
        reply.on('end', () => {
          const upstreamResponse = Buffer.concat(parts);
          const status = reply.statusCode ?? 502;
          const response = status === 200 ? adaptSparkReply(method, upstreamResponse, bind) : upstreamResponse;
          options.onExchange?.({
            method, status, arrival, repliedAfterRequests: arrivals, request: body, response,
            ...(response.equals(upstreamResponse) ? {} : { upstreamResponse }),
          });
          res.writeHead(status, { 'content-type': 'application/x-thrift' }).end(response);
        });
      });
      upstream.on('error', (error) => res.writeHead(502).end(String(error)));
      upstream.end(forwarded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/cliservice`,
    ca: { file: `${FIXTURES}localhost-test-only.crt` },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function adaptSparkCall(method: string, seqid: number, req: any, body: Buffer): Buffer {
    if (method === 'OpenSession') return writeCall(method, seqid, new T.TOpenSessionReq({ ...req, client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }));
    if (method === 'ExecuteStatement' && bind && req.parameters?.length) {
      return writeCall(method, seqid, new T.TExecuteStatementReq({ ...req, statement: inlineParameters(req.statement, req.parameters), parameters: null }));
    }
    return body;
  }
}

/** Spark's replies as the client reads them (see the module comment). */
export function adaptSparkReply(method: string, body: Buffer, bindParameters: boolean): Buffer {
  if (readMessageHeader(body).type !== 2) return body;
  const reply = readReply(body);
  if (method === 'OpenSession' && bindParameters && reply.serverProtocolVersion < T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8) {
    reply.serverProtocolVersion = T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;
    return writeReply(method, readMessageHeader(body).seqid, reply);
  }
  if (method !== 'GetResultSetMetadata') return body;
  const columns: { position: number }[] = reply.schema?.columns ?? [];
  const fromZero = columns.some((c) => c.position === 0);
  const named = reply.resultFormat !== null && reply.resultFormat !== undefined;
  if (named && !fromZero) return body;
  if (!named) reply.resultFormat = T.TSparkRowSetType.COLUMN_BASED_SET;
  if (fromZero) for (const c of columns) c.position += 1;
  return writeReply(method, readMessageHeader(body).seqid, reply);
}

/**
 * The statement with each `?` outside quotes, backticks and comments replaced by its parameter as
 * a Spark literal (types as the client's TSparkParameter names them).
 */
export function inlineParameters(sql: string, parameters: readonly { type?: string; value?: { stringValue?: string } | null }[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = (end < 0 ? sql.length : end) - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      out += sql.slice(i, end < 0 ? sql.length : end + 2);
      i = (end < 0 ? sql.length : end + 2) - 1;
    } else if (c === '?') {
      const p = parameters[next++];
      if (!p) throw new Error(`statement has more ? markers than the ${parameters.length} parameters bound`);
      out += sparkLiteral(p);
    } else out += c;
  }
  if (next !== parameters.length) throw new Error(`statement has ${next} ? markers for ${parameters.length} parameters`);
  return out;
}

function closing(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\' && quote !== '`') i++;
    else if (sql[i] === quote) return i;
  }
  return sql.length - 1;
}

function sparkLiteral(p: { type?: string; value?: { stringValue?: string } | null }): string {
  const text = p.value?.stringValue;
  if (text === undefined || text === null || p.type === 'VOID') return 'NULL';
  const quoted = `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const numeric = (pattern: RegExp): string => {
    if (!pattern.test(text)) throw new Error(`not a ${p.type} literal: ${text}`);
    return text.startsWith('-') ? `(${text})` : text;
  };
  switch (p.type) {
    case 'INTEGER': case 'SMALLINT': case 'TINYINT': return numeric(/^-?\d+$/);
    case 'BIGINT': return `CAST(${numeric(/^-?\d+$/)} AS BIGINT)`;
    case 'DECIMAL': return `${numeric(/^-?\d+(\.\d+)?$/).replace(/\)?$/, (end) => `BD${end}`)}`;
    case 'DOUBLE': case 'FLOAT': return `CAST(${quoted} AS DOUBLE)`;
    case 'BOOLEAN': return /^true$/i.test(text) ? 'TRUE' : 'FALSE';
    case 'DATE': return `DATE ${quoted}`;
    case 'TIMESTAMP': return `TIMESTAMP ${quoted}`;
    default: return quoted;
  }
}
