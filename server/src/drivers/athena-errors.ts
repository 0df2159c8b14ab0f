/**
 * Athena's two ways of failing, mapped to our error codes with a message that names the data
 * source: an API call that is refused (`athenaRequestError`: throttling, bad credentials, bad
 * request, network) and a query that ends FAILED (`athenaQueryFailure`: its `AthenaError`
 * category and type, see https://docs.aws.amazon.com/athena/latest/ug/error-reference.html).
 * Every outcome is a `UserError`: nothing Athena can answer is reported as an internal error.
 */
import type { AthenaError } from '@aws-sdk/client-athena';
import { UserError } from '../errors/user-error.ts';

/** What a message says about where the query went. */
export interface AthenaErrorContext {
  /** The endpoint called (the override, or Athena's regional endpoint). */
  readonly endpoint: string;
  readonly sql?: string;
}

// Names the SDK gives throttled calls (it retried them already, with its own backoff).
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded']);
const REFUSED_IDENTITY = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'AccessDeniedException', 'ExpiredTokenException', 'MissingAuthenticationTokenException', 'InvalidClientTokenId']);
// Node socket errors and the SDK's own timeouts: the endpoint was never reached.
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError']);
const PERMISSION_TYPES = new Set([1500, 1501]);
const THROTTLING_TYPES = new Set([1400, 1401, 1402, 1403, 1404, 1405, 1406]);
const TIMEOUT_TYPES = new Set([206, 210]);
const CATEGORY = ['', 'system', 'user', 'other'];
// A few types of the error catalog, for the message; the rest are reported by number.
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1000: 'user error', 1001: 'data error', 1002: 'data error', 1004: 'schema error', 1006: 'syntax error',
  1100: 'invalid argument', 1106: 'invalid function argument', 1110: 'table or view does not exist',
  1200: 'query not supported', 1303: 'function not found', 1306: 'Amazon S3 bucket not found',
  1400: 'throttling', 1403: 'Amazon S3 throttling', 1500: 'permission error', 1501: 'Amazon S3 permission error',
  206: 'query timeout', 210: 'query timeout',
};
const IAM_HINT = "The server's AWS identity lacks a permission: check its IAM policy (Athena, Glue, the data's S3 paths) and CUBEJS_AWS_S3_OUTPUT_LOCATION.";

/** An SDK exception (or socket error) from one Athena API call → our error. */
export function athenaRequestError(error: unknown, context: AthenaErrorContext): UserError {
  if (error instanceof UserError) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; AthenaErrorCode?: string };
  const name = e.name ?? 'Error';
  const detail = `${name}: ${e.message ?? String(error)}`;
  const sql = context.sql ? `\nSQL: ${context.sql}` : '';
  if (THROTTLED.has(name)) {
    return new UserError('RATE_LIMITED', `Athena data source is throttling requests (${detail}); gave up after ${e.$metadata?.attempts ?? 1} attempt(s), retry later`, { cause: error });
  }
  if (REFUSED_IDENTITY.has(name)) {
    return new UserError('SOURCE_ERROR', `Athena data source refused the server's AWS credentials (${detail})`, { cause: error, hint: IAM_HINT });
  }
  if (name === 'CredentialsProviderError') {
    return new UserError('SOURCE_ERROR', `Athena data source: no AWS credentials found (${detail})`, { cause: error, hint: 'Set CUBEJS_AWS_KEY / CUBEJS_AWS_SECRET or give the server an IAM role.' });
  }
  if (e.$metadata?.httpStatusCode === undefined && (NETWORK.has(e.code ?? '') || NETWORK.has(name))) {
    return new UserError('SOURCE_UNREACHABLE', `Athena data source unreachable at ${context.endpoint} (${e.code ?? name}: ${e.message ?? ''})`, { cause: error });
  }
  if (name === 'InvalidRequestException') {
    const code = e.AthenaErrorCode ? ` ${e.AthenaErrorCode}` : '';
    return new UserError('SOURCE_ERROR', `Athena data source rejected the request (InvalidRequestException${code}): ${e.message ?? ''}${sql}`, { cause: error });
  }
  return new UserError('SOURCE_ERROR', `Athena data source failed the request (${detail})${sql}`, { cause: error });
}

/** A query execution that ended FAILED → our error, by its `AthenaError` category and type. */
export function athenaQueryFailure(id: string, reason: string | undefined, athenaError: AthenaError | undefined, sql: string): UserError {
  const type = athenaError?.ErrorType;
  const category = CATEGORY[athenaError?.ErrorCategory ?? 0] || 'unclassified';
  const kind = type === undefined ? `${category} error` : `${category} error, type ${type}${TYPE_NAMES[type] ? ` ${TYPE_NAMES[type]}` : ''}`;
  const text = reason ?? athenaError?.ErrorMessage ?? 'no reason given';
  const message = `Athena data source failed query ${id} (${kind}): ${text}\nSQL: ${sql}`;
  if (type !== undefined && THROTTLING_TYPES.has(type)) return new UserError('RATE_LIMITED', message);
  if (type !== undefined && TIMEOUT_TYPES.has(type)) return new UserError('QUERY_TIMEOUT', message);
  if (type !== undefined && PERMISSION_TYPES.has(type)) return new UserError('SOURCE_ERROR', message, { hint: IAM_HINT });
  return new UserError('SOURCE_ERROR', message);
}
