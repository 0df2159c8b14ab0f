/**
 * Amazon Redshift (provisioned or Serverless, Spectrum tables included): double-quoted
 * identifiers, `$n` parameters (the Postgres extended protocol of the `pg` client),
 * `CONVERT_TIMEZONE` for local time, `DATEADD` for calendar arithmetic, `APPROXIMATE COUNT(DISTINCT)`.
 * Where Redshift's rules differ from the engine's contract the compiler says so explicitly:
 * - `AVG` of an integer returns BIGINT and of a DECIMAL keeps the argument's scale
 *   (https://docs.aws.amazon.com/redshift/latest/dg/r_AVG.html): the argument is cast to
 *   FLOAT8 (DOUBLE PRECISION) so an average is the real quotient, as in DuckDB.
 * - `VARCHAR` without a length is VARCHAR(256) and `DOUBLE` is not a type name: casts use
 *   VARCHAR(65535) (the maximum) and FLOAT8.
 * - Table value constructors (`VALUES` in FROM) are not supported: inline rows become `UNION ALL`.
 * - `IS NOT DISTINCT FROM` is not a Redshift condition: spelled `(a = b OR (a IS NULL AND b IS NULL))`.
 * - Timestamps are bound as 'YYYY-MM-DD HH:MM:SS.sss' (no ISO 'T').
 * - Model SQL casts written for the other engines, `CAST(x AS DOUBLE)` / `x::DOUBLE` (model/'s
 *   ratios), name FLOAT8 instead: the only change made to model text, outside its quotes.
 * README.md lists what Redshift and the conformance Postgres server do not share.
 */
import type { Dialect, DialectCapabilities } from '../../dialect.ts';
import type { SelectQueryNode } from '../../select-query-node.ts';
import type { CastType, CustomBucketSize, ExpressionNode, TimeUnit } from '../../expression-node.ts';
import { SqlCompiler } from '../../sql-compiler.ts';

const CAPABILITIES: DialectCapabilities = { supportsIlike: true, supportsNullsOrdering: true, numberedParams: true, supportsFullJoin: true, offsetBeforeLimit: false };

export class RedshiftCompiler extends SqlCompiler {
  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  protected placeholder(index: number): string {
    return `$${index}`;
  }

  protected override castTypeName(type: CastType): string {
    if (type === 'double') return 'FLOAT8';
    if (type === 'string') return 'VARCHAR(65535)';
    return super.castTypeName(type);
  }

  protected override visitTimestampParam(value: string): string {
    return `CAST(${this.visitParam(value.replace('T', ' '))} AS TIMESTAMP)`;
  }

  /** https://docs.aws.amazon.com/redshift/latest/dg/r_COUNT.html: HyperLogLog, ~2 % relative error. */
  protected override visitApproxCountDistinct(inner: string): string {
    return `APPROXIMATE COUNT(DISTINCT ${inner})`;
  }

  protected visitTimeTrunc(unit: TimeUnit, inner: string): string {
    return `date_trunc('${unit}', ${inner})`;
  }

  /** Source values are UTC timestamps; CONVERT_TIMEZONE follows the IANA rules (daylight saving included). */
  protected visitToLocalTime(inner: string, timezone: string): string {
    return `CONVERT_TIMEZONE('UTC', ${this.quoteTimezone(timezone)}, ${inner})`;
  }

  /** DATEADD clamps to the month's last day (Jan 31 + 1 month = Feb 29), as DuckDB's interval addition does. */
  protected visitIntervalAdd(inner: string, amount: number, unit: TimeUnit): string {
    const n = this.normalizeInterval(amount, unit);
    return `DATEADD(${n.unit}, ${Math.trunc(n.amount)}, ${inner})`;
  }

  protected visitCustomTrunc(inner: string, origin: string, bucket: CustomBucketSize): string {
    const o = this.visitTimestampLiteral(origin);
    const n = `floor((EXTRACT(EPOCH FROM ${inner}) - EXTRACT(EPOCH FROM ${o})) / ${bucket.nominalSeconds})`;
    return `DATEADD(second, CAST(${bucket.seconds} * ${n} AS INTEGER), DATEADD(month, CAST(${bucket.months} * ${n} AS INTEGER), ${o}))`;
  }

  override visit(e: ExpressionNode): string {
    if (e.kind === 'raw') return e.parts.map((p) => (typeof p === 'string' ? redshiftTypeNames(p) : this.visit(p))).join('');
    if (e.kind === 'binary' && e.op === 'IS NOT DISTINCT FROM') {
      const left = this.operand(e.left);
      const right = this.operand(e.right);
      return `(${left} = ${right} OR (${left} IS NULL AND ${right} IS NULL))`;
    }
    if (e.kind === 'func' && e.name.toLowerCase() === 'avg' && e.args.length === 1 && !e.distinct) {
      return `avg(CAST(${this.visit(e.args[0]!)} AS FLOAT8))`;
    }
    return super.visit(e);
  }

  /** Inline rows as `SELECT … UNION ALL SELECT …`, the first row naming the columns. */
  protected override visitValues(rows: readonly (readonly ExpressionNode[])[], columns: readonly string[], alias: string): string {
    if (rows.length === 0) return `(SELECT ${columns.map((c) => `NULL AS ${this.quoteIdentifier(c)}`).join(', ')} WHERE 1 = 0) AS ${alias}`;
    const selects = rows.map((r, i) => `SELECT ${r.map((e, j) => (i === 0 ? `${this.visit(e)} AS ${this.quoteIdentifier(columns[j]!)}` : this.visit(e))).join(', ')}`);
    return `(${selects.join(' UNION ALL ')}) AS ${alias}`;
  }
}

const QUOTED = /('(?:[^']|'')*'|"(?:[^"]|"")*")/;

/** `AS DOUBLE)` and `::DOUBLE` in model SQL (outside string literals and quoted names) → FLOAT8. */
export function redshiftTypeNames(sql: string): string {
  if (!/double/i.test(sql)) return sql;
  return sql
    .split(QUOTED)
    .map((piece, i) => (i % 2 === 1 ? piece : piece.replace(/\bAS(\s+)DOUBLE(\s*\))/gi, 'AS$1FLOAT8$2').replace(/::(\s*)DOUBLE\b(?!\s+PRECISION)/gi, '::$1FLOAT8')))
    .join('');
}

/** Creates the Amazon Redshift dialect. */
export function createRedshiftDialect(): Dialect {
  const compiler = new RedshiftCompiler(CAPABILITIES);
  return {
    name: 'redshift',
    capabilities: CAPABILITIES,
    compile: (query: SelectQueryNode) => compiler.compile(query),
    quoteIdentifier: (name: string) => compiler.quoteIdentifier(name),
  };
}
