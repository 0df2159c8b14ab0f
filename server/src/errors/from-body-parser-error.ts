/**
 * Turns the errors of express's body parsers (body-parser, raw-body, zlib underneath) into
 * `UserError`s: every failure to read, decode or parse a request body is the caller's — a body
 * that is not valid JSON, too large, in an unknown Content-Encoding or charset (415), or declared
 * `Content-Encoding: gzip` without being gzip (400). Anything else is returned unchanged.
 * Error types: https://github.com/expressjs/body-parser#errors
 */
import { UserError } from './user-error.ts';

/** Body-parser errors carry an http-errors `status` and, mostly, a `type`. */
interface BodyParserError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly expose?: unknown;
  readonly message?: unknown;
  readonly errno?: unknown;
}

/** `limit` is the body limit as configured (e.g. '5mb'), named in the 413 message. */
export function fromBodyParserError(error: unknown, limit: string): unknown {
  if (typeof error !== 'object' || error === null || error instanceof UserError) return error;
  const e = error as BodyParserError;
  const message = String(e.message ?? 'unreadable body');
  switch (e.type) {
    case 'entity.parse.failed':
      return new UserError('MALFORMED_JSON', `Request body is not valid JSON: ${message}`, { cause: error });
    case 'entity.too.large':
      return new UserError('PAYLOAD_TOO_LARGE', `Request body is larger than ${limit}`, { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UserError('UNSUPPORTED_MEDIA_TYPE', `Request body cannot be read: ${message}`, {
        hint: 'send JSON in UTF-8, with no Content-Encoding or one of gzip, deflate, br',
        cause: error,
      });
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined || status < 400 || status >= 500) return error;
  // Decompression failures (zlib: "incorrect header check", "unexpected end of file"; brotli:
  // "Decompression failed") come without a type, with zlib's numeric errno.
  if (typeof e.errno === 'number') {
    return new UserError('MALFORMED_BODY', `Request body does not match its Content-Encoding: ${message}`, { cause: error });
  }
  return new UserError('QUERY_INVALID', `Bad request: ${message}`, { cause: error });
}
