/**
 * The keys Cube's schema accepts for each kind of YAML object, and the enumerated values.
 * Source: Cube's data model reference (https://cube.dev/docs/reference/data-model) and the Joi
 * schema of its CubeValidator. Keys are snake_case; the reader also accepts their camelCase form
 * because Cube's YAML loader camelizes keys before validating.
 */

const keys = (...names: string[]): ReadonlySet<string> => new Set(names);

const MEMBER_COMMON = ['name', 'title', 'short_title', 'description', 'meta', 'public', 'shown', 'visible'];

/** Allowed keys per object kind. */
export const ALLOWED_KEYS = {
  file: keys('cubes', 'views'),
  cube: keys(
    'name', 'sql_table', 'sql', 'sql_alias', 'data_source', 'extends', 'title', 'description', 'meta',
    'public', 'shown', 'measures', 'dimensions', 'segments', 'joins', 'pre_aggregations', 'refresh_key',
    'access_policy', 'hierarchies', 'folders', 'calendar', 'rewrite_queries',
  ),
  view: keys(
    'name', 'title', 'description', 'meta', 'public', 'shown', 'cubes', 'folders', 'access_policy',
    'measures', 'dimensions', 'segments', 'hierarchies', 'extends',
  ),
  measure: keys(
    ...MEMBER_COMMON, 'sql', 'type', 'format', 'filters', 'rolling_window', 'drill_members', 'multi_stage',
    'time_shift', 'group_by', 'reduce_by', 'add_group_by', 'case', 'cumulative', 'order_by',
  ),
  dimension: keys(
    ...MEMBER_COMMON, 'sql', 'type', 'format', 'primary_key', 'sub_query', 'propagate_filters_to_sub_query',
    'case', 'granularities', 'latitude', 'longitude', 'suggest_filter_values', 'time_shift', 'multi_stage',
    'values', 'order',
  ),
  segment: keys(...MEMBER_COMMON, 'sql'),
  join: keys('name', 'relationship', 'sql'),
  pre_aggregation: keys(
    'name', 'type', 'measures', 'dimensions', 'segments', 'time_dimension', 'granularity', 'time_dimensions',
    'partition_granularity', 'refresh_key', 'build_range_start', 'build_range_end', 'indexes',
    'scheduled_refresh', 'allow_non_strict_date_range_match', 'rollups', 'union_with_source_data', 'external',
    'sql', 'use_original_sql_pre_aggregations', 'unique_key_columns', 'read_only', 'streaming_offset',
    'output_column_types', 'update_window',
  ),
  pre_aggregation_time_dimension: keys('dimension', 'granularity'),
  refresh_key: keys('every', 'sql', 'incremental', 'update_window', 'timezone'),
  build_range: keys('sql'),
  index: keys('name', 'columns', 'type'),
  granularity: keys('name', 'interval', 'origin', 'offset', 'sql', 'title'),
  rolling_window: keys('trailing', 'leading', 'offset', 'type', 'granularity'),
  measure_filter: keys('sql'),
  time_shift: keys('interval', 'type', 'time_dimension', 'name', 'sql'),
  case: keys('when', 'else', 'switch'),
  case_when: keys('sql', 'label', 'value'),
  case_else: keys('label', 'sql'),
  case_label: keys('sql'),
  geo_coordinate: keys('sql'),
  access_policy: keys('role', 'group', 'groups', 'conditions', 'member_level', 'row_level', 'member_masking'),
  member_level: keys('includes', 'excludes'),
  row_level: keys('filters', 'allow_all'),
  condition: keys('if'),
  view_cube: keys('join_path', 'includes', 'excludes', 'prefix', 'alias', 'split'),
  view_include: keys('name', 'alias', 'title', 'description', 'format', 'meta'),
  folder: keys('name', 'includes'),
  hierarchy: keys('name', 'title', 'levels', 'public'),
} as const;

export type ObjectKind = keyof typeof ALLOWED_KEYS;

export const MEASURE_TYPES = [
  'count', 'count_distinct', 'count_distinct_approx', 'sum', 'avg', 'min', 'max', 'number', 'string', 'time',
  'boolean', 'running_total',
] as const;

export const DIMENSION_TYPES = ['string', 'number', 'time', 'boolean', 'geo'] as const;

/** Cube's relationship names, old and new, mapped to the normalized form. */
export const RELATIONSHIPS: Readonly<Record<string, 'many_to_one' | 'one_to_many' | 'one_to_one'>> = {
  many_to_one: 'many_to_one',
  belongs_to: 'many_to_one',
  belongsTo: 'many_to_one',
  one_to_many: 'one_to_many',
  has_many: 'one_to_many',
  hasMany: 'one_to_many',
  one_to_one: 'one_to_one',
  has_one: 'one_to_one',
  hasOne: 'one_to_one',
};

export const PRE_AGGREGATION_TYPES = ['rollup', 'original_sql', 'rollup_lambda', 'rollup_join', 'auto_rollup'] as const;

export const ROLLING_WINDOW_TYPES = ['fixed', 'year_to_date', 'quarter_to_date', 'month_to_date', 'to_date'] as const;

/** Measure types whose value grows when rows are multiplied by a join (Cube's JoinGraph list). */
export const MULTIPLIED_MEASURE_TYPES: ReadonlySet<string> = new Set(['sum', 'avg', 'count', 'number']);

/** Cube names and member names: a letter or underscore, then letters, digits, underscores. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
