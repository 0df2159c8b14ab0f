/**
 * One registry of user-facing error codes with their HTTP status (REST/GraphQL) and SQLSTATE
 * (Postgres-wire SQL API). Each API maps errors once, from this table.
 */
export const ERROR_CODES = {
  // model
  MODEL_INVALID: { http: 500, sqlState: 'XX000' },
  // query
  QUERY_INVALID: { http: 400, sqlState: '42601' },
  UNKNOWN_MEMBER: { http: 400, sqlState: '42703' },
  HIDDEN_MEMBER: { http: 400, sqlState: '42703' },
  INVALID_OPERATOR: { http: 400, sqlState: '22023' },
  INVALID_VALUE: { http: 400, sqlState: '22023' },
  INVALID_DATE_RANGE: { http: 400, sqlState: '22007' },
  LIMIT_EXCEEDED: { http: 400, sqlState: '54000' },
  MALFORMED_JSON: { http: 400, sqlState: '22P02' },
  UNSUPPORTED: { http: 400, sqlState: '0A000' },
  UNDEFINED_FUNCTION: { http: 400, sqlState: '42883' },
  // an aggregate over a measure that would not give the measure's own value (42803 grouping_error)
  MEASURE_AGGREGATE: { http: 400, sqlState: '42803' },
  // security
  UNAUTHENTICATED: { http: 403, sqlState: '28000' },
  INVALID_TOKEN: { http: 403, sqlState: '28000' },
  ACCESS_DENIED: { http: 403, sqlState: '42501' },
  RATE_LIMITED: { http: 429, sqlState: '53300' },
  // per-client limits (CUBEJS_CLIENT_*): 53400 configuration_limit_exceeded, as Postgres reports a per-role limit
  TOO_MANY_REQUESTS: { http: 429, sqlState: '53400' },
  TOO_MANY_CONCURRENT_QUERIES: { http: 429, sqlState: '53400' },
  // execution
  QUERY_TIMEOUT: { http: 504, sqlState: '57014' },
  QUERY_CANCELLED: { http: 499, sqlState: '57014' },
  // a result or working set past a configured memory bound (the SQL API's sandbox): 53200 out_of_memory
  OUT_OF_MEMORY: { http: 503, sqlState: '53200' },
  SOURCE_ERROR: { http: 502, sqlState: '58000' },
  // configuration (server refuses to start)
  CONFIG_INVALID: { http: 500, sqlState: 'F0000' },
  // REST routing
  NOT_FOUND: { http: 404, sqlState: '42704' },
  PAYLOAD_TOO_LARGE: { http: 413, sqlState: '54000' },
  // a request body that cannot be read (bad compression, truncated): 22P02 invalid_text_representation
  MALFORMED_BODY: { http: 400, sqlState: '22P02' },
  // a body in a Content-Encoding or charset the server does not read
  UNSUPPORTED_MEDIA_TYPE: { http: 415, sqlState: '0A000' },
  // pipeline
  PIPELINE_INPUT: { http: 400, sqlState: '22000' },
  DATA_QUALITY: { http: 500, sqlState: '23000' },
  SOURCE_UNREACHABLE: { http: 502, sqlState: '08006' },
  // the lakehouse DuckDB file is held by another process (DuckDB: one process per file): 55006 object_in_use
  LAKEHOUSE_BUSY: { http: 409, sqlState: '55006' },
} as const satisfies Record<string, { http: number; sqlState: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
