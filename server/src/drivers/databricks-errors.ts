/**
 * What `@databricks/sql` throws, mapped to our error codes with a message that names the data
 * source. The client fails in four ways: a statement that ends in ERROR_STATE (OperationStateError,
 * carrying the warehouse's SQLSTATE and message), a Thrift call answered with an error status
 * (StatusError), an HTTP answer other than 200 (THTTPException with `statusCode`, or — once its
 * retries of 429/5xx on idempotent calls ran out — a HiveDriverError whose only trace of the status
 * is its text), and a socket that never connected (node-fetch FetchError) — among them a TLS
 * handshake refused because the server's certificate is not trusted (self-signed, unknown CA,
 * expired, issued for another host), which is reported as such and never as "unreachable": it is
 * either a missing CUBEJS_DB_DATABRICKS_CA or someone in the middle, and retrying will not help.
 * Every outcome is a `UserError`: nothing a warehouse can answer is reported as an internal error.
 * A failed statement keeps the warehouse's SQLSTATE on the error (`sqlState`, what the SQL API
 * answers), so a client sees 22012 for a division by zero or 42P01 for a missing table rather than
 * SOURCE_ERROR's generic 58000 — unless the state says nothing useful (`remoteSqlState`).
 */
import { UserError } from '../errors/user-error.ts';

/** What a message says about where the query went. */
export interface DatabricksErrorContext {
  /** `host:port` of the warehouse. */
  readonly endpoint: string;
  readonly sql?: string;
}

const TOKEN_HINT = 'Set CUBEJS_DB_DATABRICKS_TOKEN to a valid personal access token (tokens expire; a revoked or expired one is refused with HTTP 401/403).';
// Node socket errors and the client's own timeout: the warehouse was never reached.
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
// Node's codes for a server certificate that failed verification (OpenSSL's X509 verify results and
// Node's own host name check): the handshake stopped before any request, so no token was sent.
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA', 'INVALID_PURPOSE', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const CA_HINT = 'If the warehouse is reached through a TLS-inspecting proxy or serves a certificate from a private CA, set CUBEJS_DB_DATABRICKS_CA to that CA certificate (PEM text or a PEM file path; it is trusted in addition to the public roots). Otherwise something between this server and the warehouse is presenting a certificate it should not.';
// 08001 sqlclient_unable_to_establish_sqlconnection: the connection was refused by us, on purpose.
const UNTRUSTED_SQL_STATE = '08001';
// TOperationState values as the client's OperationStateError names them.
const CANCELED = 'CANCELED';
const TIMEOUT = 'TIMEOUT';

interface ClientError {
  name?: string;
  message?: string;
  code?: string | number;
  type?: string;
  errorCode?: string;
  statusCode?: number;
  response?: { status?: number; statusText?: string; sqlState?: string | null; errorMessage?: string | null; displayMessage?: string | null };
}

/** A client failure → our error. */
export function databricksError(error: unknown, context: DatabricksErrorContext): UserError {
  if (error instanceof UserError) return error;
  const e = (error ?? {}) as ClientError;
  const sql = context.sql ? `\nSQL: ${context.sql}` : '';
  const where = `Databricks data source at ${context.endpoint}`;
  // Once its retries run out the client throws only text: "Hive driver: 503 when connecting to resource. Max retry count exceeded."
  const retried = /^Hive driver: (\d{3}|\w+) when connecting to resource\. (Max retry count|Retry timeout) exceeded/.exec(e.message ?? '');
  if (retried) {
    const gaveUp = retried[2] === 'Retry timeout' ? 'retried until the retry timeout' : 'retried until the attempts ran out';
    if (/^\d{3}$/.test(retried[1]!)) return httpError(Number(retried[1]), `${where} answered HTTP ${retried[1]}; ${gaveUp}`, error);
    return new UserError('SOURCE_UNREACHABLE', `${where} is unreachable (connection failed); ${gaveUp}`, { cause: error });
  }
  if (typeof e.statusCode === 'number') return httpError(e.statusCode, `${where} answered HTTP ${e.statusCode}${statusText(e.response)}`, error);
  if (typeof e.code === 'string' && UNTRUSTED_CERTIFICATE.has(e.code)) {
    return new UserError('SOURCE_ERROR', `${where}: the server's TLS certificate is not trusted (${e.code}: ${tlsReason(e.message)}); the connection was refused and the access token was not sent`, {
      cause: error, hint: CA_HINT, sqlState: UNTRUSTED_SQL_STATE,
    });
  }
  if (e.type === 'system' || (typeof e.code === 'string' && NETWORK.has(e.code)) || /request timed out/i.test(e.message ?? '')) {
    return new UserError('SOURCE_UNREACHABLE', `${where} is unreachable (${networkDetail(e)})`, { cause: error });
  }
  if (e.name === 'OperationStateError' || e.constructor?.name === 'OperationStateError') {
    if (e.errorCode === CANCELED) return new UserError('QUERY_CANCELLED', `${where} cancelled the statement (stopped outside this server)${sql}`, { cause: error });
    if (e.errorCode === TIMEOUT) return new UserError('QUERY_TIMEOUT', `${where} timed the statement out${sql}`, { cause: error });
    const state = e.response?.sqlState;
    const message = firstLines(e.response?.displayMessage ?? e.response?.errorMessage ?? e.message ?? '');
    const sqlState = remoteSqlState(state, e.response?.errorMessage ?? e.message);
    return new UserError('SOURCE_ERROR', `${where} failed the statement${state ? ` (SQLSTATE ${state})` : ''}: ${message}${sql}`, { cause: error, ...(sqlState ? { sqlState } : {}) });
  }
  return new UserError('SOURCE_ERROR', `${where} failed the request (${e.name ?? 'Error'}: ${firstLines(e.message ?? String(error))})${sql}`, { cause: error });
}

// SQLSTATE classes not worth passing on: success, warning and no-data (not errors), internal errors
// (XX: the warehouse's bug, which our clients must not read as ours) and ODBC's "general error" (HY).
const UNINFORMATIVE_CLASSES = new Set(['00', '01', '02', 'XX', 'HY']);

/**
 * The warehouse's SQLSTATE for a failed statement, from the status field or, when that is empty,
 * from the `SQLSTATE: 22012` Databricks and Spark append to their messages; undefined when there is
 * none or it is not a well-formed, informative error state.
 */
export function remoteSqlState(field: string | null | undefined, message: string | null | undefined): string | undefined {
  const state = field || /\bSQLSTATE: ([0-9A-Z]{5})\b/.exec(message ?? '')?.[1];
  if (!state || !/^[0-9A-Z]{5}$/.test(state) || UNINFORMATIVE_CLASSES.has(state.slice(0, 2))) return undefined;
  return state;
}

function httpError(status: number, message: string, cause: unknown): UserError {
  if (status === 401 || status === 403) return new UserError('SOURCE_ERROR', `${message}: the access token was refused`, { cause, hint: TOKEN_HINT });
  if (status === 429) return new UserError('RATE_LIMITED', `${message}: the warehouse is throttling requests, retry later`, { cause });
  if (status >= 500) return new UserError('SOURCE_UNREACHABLE', `${message}: the warehouse is unavailable (starting, scaling or down)`, { cause });
  return new UserError('SOURCE_ERROR', message, { cause });
}

function statusText(response: ClientError['response']): string {
  return response?.statusText ? ` ${response.statusText}` : '';
}

/** node-fetch's "request to <url> failed, reason: self-signed certificate" → "self-signed certificate". */
function tlsReason(message: string | undefined): string {
  return /reason: (.+)$/s.exec(message ?? '')?.[1]?.trim() ?? firstLines(message ?? '');
}

function networkDetail(e: ClientError | undefined): string {
  return `${e?.code ?? e?.name ?? 'Error'}: ${firstLines(e?.message ?? '')}`;
}

/** A server message without the Java stack trace and query plan Spark appends. */
function firstLines(message: string): string {
  return message.split(/;\n'|\n\s+at /)[0]!.replace(/\b(?:org\.apache|java)\.[\w.$]+(?:Exception|Error): /g, '').trim();
}
