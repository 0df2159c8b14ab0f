/**
 * SQL expression nodes: frozen plain objects discriminated by `kind`, built through the `expr`
 * factory and turned into text by a dialect's `SqlCompiler`. Nodes never hold user values as SQL
 * text: values travel in `param` nodes and are bound by the driver.
 */

/** Units the engine truncates to and adds as intervals. */
export type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Logical types used by casts; each dialect maps them to its own type names. */
export type CastType = 'timestamp' | 'string' | 'double' | 'bigint' | 'boolean' | 'decimal';

export type BinaryOperator = '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | 'IS NOT DISTINCT FROM';

/** Any SQL expression. */
export type ExpressionNode =
  | { readonly kind: 'raw'; readonly parts: readonly (string | ExpressionNode)[] }
  | { readonly kind: 'column'; readonly table?: string; readonly column: string }
  | { readonly kind: 'param'; readonly value: unknown }
  | { readonly kind: 'literal'; readonly value: number | boolean | null }
  | { readonly kind: 'timestampLiteral'; readonly value: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'func'; readonly name: string; readonly args: readonly ExpressionNode[]; readonly distinct?: boolean }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: ExpressionNode; readonly right: ExpressionNode }
  | { readonly kind: 'logical'; readonly op: 'AND' | 'OR'; readonly items: readonly ExpressionNode[] }
  | { readonly kind: 'not'; readonly expr: ExpressionNode }
  | { readonly kind: 'isNull'; readonly expr: ExpressionNode; readonly negated: boolean }
  | { readonly kind: 'in'; readonly expr: ExpressionNode; readonly list: readonly ExpressionNode[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly expr: ExpressionNode; readonly pattern: readonly ExpressionNode[]; readonly negated: boolean; readonly escape?: string }
  | { readonly kind: 'case'; readonly whens: readonly { readonly when: ExpressionNode; readonly then: ExpressionNode }[]; readonly else?: ExpressionNode }
  | { readonly kind: 'cast'; readonly expr: ExpressionNode; readonly type: CastType }
  | { readonly kind: 'timeTrunc'; readonly unit: TimeUnit; readonly expr: ExpressionNode }
  | { readonly kind: 'toLocalTime'; readonly expr: ExpressionNode; readonly timezone: string }
  | { readonly kind: 'intervalAdd'; readonly expr: ExpressionNode; readonly amount: number; readonly unit: TimeUnit }
  | { readonly kind: 'approxCountDistinct'; readonly expr: ExpressionNode }
  | { readonly kind: 'customTrunc'; readonly expr: ExpressionNode; readonly origin: string; readonly bucket: CustomBucketSize }
  | { readonly kind: 'window'; readonly func: ExpressionNode; readonly partitionBy: readonly ExpressionNode[] };

/**
 * A custom granularity's interval as calendar months plus seconds, and its nominal length in
 * seconds (months as 30 days, years as 365.25, as Postgres measures an interval's epoch). The bucket
 * holding `t` starts at origin + n × interval with n = floor((t − origin) / nominal length): Cube's
 * formula for custom granularities.
 */
export interface CustomBucketSize {
  readonly months: number;
  readonly seconds: number;
  readonly nominalSeconds: number;
}

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;

/** Factory for expression nodes; every node it returns is frozen. */
export const expr = {
  raw: (parts: readonly (string | ExpressionNode)[]): ExpressionNode => Object.freeze({ kind: 'raw', parts: Object.freeze([...parts]) }),
  column: (table: string | undefined, column: string): ExpressionNode => Object.freeze({ kind: 'column', table, column }),
  param: (value: unknown): ExpressionNode => Object.freeze({ kind: 'param', value }),
  literal: (value: number | boolean | null): ExpressionNode => Object.freeze({ kind: 'literal', value }),
  /** A timestamp the engine computed itself (series bounds); checked so no text can slip through. */
  timestamp: (value: string): ExpressionNode => {
    if (!TIMESTAMP_TEXT.test(value)) throw new Error(`internal: not a local timestamp: ${value}`);
    return Object.freeze({ kind: 'timestampLiteral', value });
  },
  star: (): ExpressionNode => Object.freeze({ kind: 'star' }),
  func: (name: string, args: readonly ExpressionNode[], distinct = false): ExpressionNode =>
    Object.freeze({ kind: 'func', name, args: Object.freeze([...args]), distinct }),
  binary: (left: ExpressionNode, op: BinaryOperator, right: ExpressionNode): ExpressionNode => Object.freeze({ kind: 'binary', op, left, right }),
  and: (items: readonly ExpressionNode[]): ExpressionNode => logical('AND', items),
  or: (items: readonly ExpressionNode[]): ExpressionNode => logical('OR', items),
  not: (inner: ExpressionNode): ExpressionNode => Object.freeze({ kind: 'not', expr: inner }),
  isNull: (inner: ExpressionNode, negated = false): ExpressionNode => Object.freeze({ kind: 'isNull', expr: inner, negated }),
  in: (inner: ExpressionNode, list: readonly ExpressionNode[], negated = false): ExpressionNode =>
    Object.freeze({ kind: 'in', expr: inner, list: Object.freeze([...list]), negated }),
  /**
   * Case-insensitive LIKE; `pattern` pieces are concatenated (e.g. `'%'`, param, `'%'`). With
   * `escape` (one character, see `LIKE_ESCAPE`) the pattern is compiled with `ESCAPE '<c>'`, so a
   * value escaped by `escapeLikeText` matches itself, wildcards included.
   */
  like: (inner: ExpressionNode, pattern: readonly ExpressionNode[], negated = false, escape?: string): ExpressionNode => {
    if (escape !== undefined && !/^[!#^~]$/.test(escape)) throw new Error(`internal: unsupported LIKE escape character ${JSON.stringify(escape)}`);
    return Object.freeze({ kind: 'like', expr: inner, pattern: Object.freeze([...pattern]), negated, ...(escape === undefined ? {} : { escape }) });
  },
  case: (whens: readonly { when: ExpressionNode; then: ExpressionNode }[], otherwise?: ExpressionNode): ExpressionNode =>
    Object.freeze({ kind: 'case', whens: Object.freeze([...whens]), else: otherwise }),
  cast: (inner: ExpressionNode, type: CastType): ExpressionNode => Object.freeze({ kind: 'cast', expr: inner, type }),
  timeTrunc: (unit: TimeUnit, inner: ExpressionNode): ExpressionNode => Object.freeze({ kind: 'timeTrunc', unit, expr: inner }),
  toLocalTime: (inner: ExpressionNode, timezone: string): ExpressionNode => Object.freeze({ kind: 'toLocalTime', expr: inner, timezone }),
  intervalAdd: (inner: ExpressionNode, amount: number, unit: TimeUnit): ExpressionNode =>
    Object.freeze({ kind: 'intervalAdd', expr: inner, amount, unit }),
  /** `func OVER (PARTITION BY …)`; an empty partition is the whole result. */
  window: (func: ExpressionNode, partitionBy: readonly ExpressionNode[]): ExpressionNode =>
    Object.freeze({ kind: 'window', func, partitionBy: Object.freeze([...partitionBy]) }),
  approxCountDistinct: (inner: ExpressionNode): ExpressionNode => Object.freeze({ kind: 'approxCountDistinct', expr: inner }),
  /** Start of the custom-granularity bucket (see `CustomBucketSize`) holding `inner`. */
  customTrunc: (inner: ExpressionNode, origin: string, bucket: CustomBucketSize): ExpressionNode => {
    if (!TIMESTAMP_TEXT.test(origin)) throw new Error(`internal: not a local timestamp: ${origin}`);
    return Object.freeze({ kind: 'customTrunc', expr: inner, origin, bucket: Object.freeze({ ...bucket }) });
  },
};

function logical(op: 'AND' | 'OR', items: readonly ExpressionNode[]): ExpressionNode {
  const flat = items.flatMap((item) => (item.kind === 'logical' && item.op === op ? item.items : [item]));
  // An empty conjunction is true and an empty disjunction false; `()` would not parse anywhere.
  if (flat.length === 0) return expr.literal(op === 'AND');
  if (flat.length === 1) return flat[0]!;
  return Object.freeze({ kind: 'logical', op, items: Object.freeze(flat) });
}
