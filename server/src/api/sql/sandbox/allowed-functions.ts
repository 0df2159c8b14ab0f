/**
 * The functions SQL over cubes and views may call: what BI tools put in their SQL (aggregates,
 * window functions, arithmetic, strings, dates, conditionals), under the names PostgreSQL's
 * parser gives them (`EXTRACT(… FROM …)` is `pg_catalog.extract`, `TRIM(BOTH …)` is `btrim`).
 * Generous with ordinary functions and closed to anything that reads files, settings, the
 * catalog or the environment, or generates rows: those are absent here, and `isStateReader`
 * names them for a 42501 (insufficient_privilege) refusal instead of 42883 (undefined_function).
 * Names are compared lower-cased: DuckDB resolves function names without regard to case, quoted
 * or not. A name listed here that DuckDB does not know fails there, as any unknown function would.
 */

const AGGREGATES = [
  'avg', 'count', 'sum', 'min', 'max', 'measure', 'any_value', 'first', 'last', 'arg_max', 'arg_min', 'max_by', 'min_by',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'median', 'mode', 'quantile_cont', 'quantile_disc',
  'percentile_cont', 'percentile_disc', 'string_agg', 'array_agg', 'listagg', 'group_concat', 'bool_and', 'bool_or', 'every',
  'bit_and', 'bit_or', 'bit_xor', 'count_if', 'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count',
  'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'approx_count_distinct', 'product',
  'kurtosis', 'skewness', 'entropy', 'geomean', 'geometric_mean',
];

const WINDOW_FUNCTIONS = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'];

const MATH = [
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10', 'log2', 'power', 'pow',
  'mod', 'div', 'pi', 'degrees', 'radians', 'sin', 'cos', 'tan', 'cot', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh',
  'greatest', 'least', 'gcd', 'lcm', 'isnan', 'isinf', 'isfinite', 'factorial', 'random', 'width_bucket', 'round_even', 'fdiv', 'fmod',
];

const STRINGS = [
  'lower', 'upper', 'lcase', 'ucase', 'initcap', 'length', 'len', 'char_length', 'character_length', 'octet_length', 'bit_length',
  'concat', 'concat_ws', 'substring', 'substr', 'left', 'right', 'lpad', 'rpad', 'ltrim', 'rtrim', 'trim', 'btrim', 'replace',
  'reverse', 'repeat', 'position', 'strpos', 'instr', 'split_part', 'starts_with', 'ends_with', 'contains', 'prefix', 'suffix',
  'ascii', 'chr', 'md5', 'sha256', 'format', 'printf', 'translate', 'overlay', 'regexp_replace', 'regexp_matches', 'regexp_extract',
  'regexp_full_match', 'regexp_like', 'similar_to_escape', 'like_escape', 'not_like_escape', 'ilike_escape', 'not_ilike_escape', 'to_hex', 'strip_accents', 'string_to_array',
  'array_to_string', 'quote_ident', 'quote_literal', 'quote_nullable', 'normalize', 'unicode',
];

const DATES = [
  'date_trunc', 'date_part', 'datepart', 'extract', 'date_diff', 'datediff', 'date_add', 'date_sub', 'age', 'now', 'today',
  'current_date', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'make_date', 'make_time',
  'make_timestamp', 'make_interval', 'to_timestamp', 'to_date', 'to_char', 'to_number', 'strftime', 'strptime', 'try_strptime',
  'epoch', 'epoch_ms', 'year', 'month', 'day', 'quarter', 'week', 'weekofyear', 'yearweek', 'dayofweek', 'dayofyear', 'dayofmonth',
  'weekday', 'isodow', 'isoyear', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'dayname', 'monthname', 'last_day',
  'time_bucket', 'date_bin', 'timezone', 'justify_days', 'justify_hours', 'justify_interval', 'to_days', 'to_hours', 'to_minutes',
  'to_seconds', 'to_months', 'to_years', 'to_weeks', 'century', 'decade', 'millennium', 'era', 'isfinite',
];

const CONDITIONALS_AND_CASTS = ['coalesce', 'nullif', 'ifnull', 'if', 'iif', 'try_cast', 'typeof', 'pg_typeof', 'cardinality', 'array_length'];

const ALLOWED = new Set<string>([...AGGREGATES, ...WINDOW_FUNCTIONS, ...MATH, ...STRINGS, ...DATES, ...CONDITIONALS_AND_CASTS]);

/** Whether SQL over model tables may call the function `name` (one unqualified name). */
export function isAllowedFunction(name: string): boolean {
  return ALLOWED.has(name.toLowerCase());
}

/**
 * Functions that read files, settings, the catalog, the session or the environment, run SQL, or
 * generate rows from nothing: refused as a matter of privilege (42501), not as unknown (42883).
 */
const STATE_READERS =
  /^(read_.*|glob|parquet_.*|sniff_csv|duckdb_.*|pragma_.*|current_setting|set_config|getenv|getvariable|setvariable|query|query_table|json_execute_serialized_sql|json_serialize_sql|json_deserialize_sql|json_serialize_plan|which_secret|checkpoint|force_checkpoint|enable_.*|disable_.*|summary|test_all_types|test_vector_types|sql_auto_complete|arrow_scan.*|seq_scan|repeat_row|range|generate_series|generate_subscripts|unnest|version|current_(user|role|catalog|schema|schemas|database|query|query_id|connection_id|transaction_id)|session_user|user|pg_.*|has_.*_privilege|inet_.*|txid_.*|nextval|currval|setseed|sleep_ms|write_log|icu_.*|histogram.*|copy|load|install|attach|detach)$/i;

export function isStateReader(name: string): boolean {
  return STATE_READERS.test(name);
}
