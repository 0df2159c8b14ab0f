/**
 * Trino / Athena engine v3: double-quoted identifiers, `?` parameters (Athena
 * `ExecutionParameters`), `AT TIME ZONE` for local time, `approx_distinct`, no ILIKE
 * (https://trino.io/docs/current/functions/datetime.html). `avg` reads its argument as DOUBLE:
 * Trino's avg of a DECIMAL(p,s) is a DECIMAL(p,s) rounded to s digits, DuckDB's (and Cube's on
 * Postgres) is the unrounded mean (found by server/test/conformance/trino-conformance.test.ts).
 */
import type { Dialect, DialectCapabilities } from '../../dialect.ts';
import type { SelectQueryNode } from '../../select-query-node.ts';
import type { CustomBucketSize, ExpressionNode, TimeUnit } from '../../expression-node.ts';
import { SqlCompiler } from '../../sql-compiler.ts';

const CAPABILITIES: DialectCapabilities = { supportsIlike: false, supportsNullsOrdering: true, numberedParams: false, supportsFullJoin: true, offsetBeforeLimit: true };

export class TrinoCompiler extends SqlCompiler {
  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  protected placeholder(): string {
    return '?';
  }

  /** Trino reads 'YYYY-MM-DD HH:MM:SS.sss' as a timestamp, not the ISO 'T' form. */
  protected override visitTimestampParam(value: string): string {
    return `CAST(${this.visitParam(value.replace('T', ' '))} AS TIMESTAMP)`;
  }

  protected override visitApproxCountDistinct(inner: string): string {
    return `approx_distinct(${inner})`;
  }

  protected visitTimeTrunc(unit: TimeUnit, inner: string): string {
    return `date_trunc('${unit}', ${inner})`;
  }

  protected visitToLocalTime(inner: string, timezone: string): string {
    return `CAST(with_timezone(CAST(${inner} AS TIMESTAMP), 'UTC') AT TIME ZONE ${this.quoteTimezone(timezone)} AS TIMESTAMP)`;
  }

  protected visitIntervalAdd(inner: string, amount: number, unit: TimeUnit): string {
    const n = this.normalizeInterval(amount, unit);
    return `date_add('${n.unit}', ${n.amount}, ${inner})`;
  }

  override visit(e: ExpressionNode): string {
    if (e.kind === 'func' && e.name.toLowerCase() === 'avg' && e.args.length === 1 && !e.distinct) {
      return `avg(CAST(${this.visit(e.args[0]!)} AS DOUBLE))`;
    }
    return super.visit(e);
  }

  protected visitCustomTrunc(inner: string, origin: string, bucket: CustomBucketSize): string {
    const o = this.visitTimestampLiteral(origin);
    const n = `floor(CAST(date_diff('second', ${o}, ${inner}) AS DOUBLE) / ${bucket.nominalSeconds})`;
    return `date_add('second', CAST(${bucket.seconds} * ${n} AS BIGINT), date_add('month', CAST(${bucket.months} * ${n} AS BIGINT), ${o}))`;
  }
}

/** Creates the Trino (Athena engine v3) dialect. */
export function createTrinoDialect(): Dialect {
  const compiler = new TrinoCompiler(CAPABILITIES);
  return {
    name: 'trino',
    capabilities: CAPABILITIES,
    compile: (query: SelectQueryNode) => compiler.compile(query),
    quoteIdentifier: (name: string) => compiler.quoteIdentifier(name),
  };
}
