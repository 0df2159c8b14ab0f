/**
 * Databricks SQL (Spark SQL): backtick identifiers, `?` ordinal parameters (@databricks/sql
 * `ordinalParameters`), `from_utc_timestamp` for local time
 * (https://docs.databricks.com/en/sql/language-manual/functions/from_utc_timestamp.html).
 *
 * Executed on Spark SQL against DuckDB by notebooks/tests/test_dialect_conformance.py. Engine
 * semantics it does not paper over (../../README.md, "Engine semantics (Databricks …)"): the
 * session time zone must be UTC (Spark's TIMESTAMP is local to it); `sum` of BIGINT past 2^63
 * overflows on Spark (an error under ANSI mode) where DuckDB widens; `approx_count_distinct` is
 * another estimator.
 */
import type { Dialect, DialectCapabilities } from '../../dialect.ts';
import type { SelectQueryNode } from '../../select-query-node.ts';
import type { CastType, CustomBucketSize, ExpressionNode, TimeUnit } from '../../expression-node.ts';
import { SqlCompiler } from '../../sql-compiler.ts';

const CAPABILITIES: DialectCapabilities = { supportsIlike: true, supportsNullsOrdering: true, numberedParams: false, supportsFullJoin: true, offsetBeforeLimit: false };

export class DatabricksCompiler extends SqlCompiler {
  quoteIdentifier(name: string): string {
    return `\`${name.replace(/`/g, '``')}\``;
  }

  protected placeholder(): string {
    return '?';
  }

  protected override castTypeName(type: CastType): string {
    return type === 'string' ? 'STRING' : super.castTypeName(type);
  }

  protected visitTimeTrunc(unit: TimeUnit, inner: string): string {
    return `date_trunc('${unit.toUpperCase()}', ${inner})`;
  }

  protected visitToLocalTime(inner: string, timezone: string): string {
    return `from_utc_timestamp(${inner}, ${this.quoteTimezone(timezone)})`;
  }

  protected visitIntervalAdd(inner: string, amount: number, unit: TimeUnit): string {
    const n = this.normalizeInterval(amount, unit);
    return `(${inner} ${n.amount < 0 ? '-' : '+'} INTERVAL ${Math.abs(n.amount)} ${n.unit.toUpperCase()})`;
  }

  protected visitCustomTrunc(inner: string, origin: string, bucket: CustomBucketSize): string {
    const o = this.visitTimestampLiteral(origin);
    const n = `floor((unix_timestamp(${inner}) - unix_timestamp(${o})) / ${bucket.nominalSeconds})`;
    return `timestampadd(SECOND, CAST(${bucket.seconds} * ${n} AS BIGINT), timestampadd(MONTH, CAST(${bucket.months} * ${n} AS INT), ${o}))`;
  }

  /** Spark's inline table form: `VALUES (...), (...) AS t(a, b)`. */
  protected override visitValues(rows: readonly (readonly ExpressionNode[])[], columns: readonly string[], alias: string): string {
    const body = rows.map((r) => `(${r.map((e) => this.visit(e)).join(', ')})`).join(', ');
    return `(SELECT * FROM VALUES ${body} AS t(${columns.map((c) => this.quoteIdentifier(c)).join(', ')})) AS ${alias}`;
  }
}

/** Creates the Databricks SQL dialect. */
export function createDatabricksDialect(): Dialect {
  const compiler = new DatabricksCompiler(CAPABILITIES);
  return {
    name: 'databricks',
    capabilities: CAPABILITIES,
    compile: (query: SelectQueryNode) => compiler.compile(query),
    quoteIdentifier: (name: string) => compiler.quoteIdentifier(name),
  };
}
