/**
 * DuckDB SQL: double-quoted identifiers, `$n` parameters, `timezone(tz, ts::TIMESTAMPTZ)` for
 * local time (https://duckdb.org/docs/sql/functions/timestamptz), `time_bucket` for custom
 * granularities.
 */
import type { Dialect, DialectCapabilities } from '../../dialect.ts';
import type { SelectQueryNode } from '../../select-query-node.ts';
import type { CustomBucketSize, TimeUnit } from '../../expression-node.ts';
import { SqlCompiler } from '../../sql-compiler.ts';

const CAPABILITIES: DialectCapabilities = { supportsIlike: true, supportsNullsOrdering: true, numberedParams: true, supportsFullJoin: true, offsetBeforeLimit: false };

export class DuckDbCompiler extends SqlCompiler {
  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  protected placeholder(index: number): string {
    return `$${index}`;
  }

  protected visitTimeTrunc(unit: TimeUnit, inner: string): string {
    return `date_trunc('${unit}', ${inner})`;
  }

  protected visitToLocalTime(inner: string, timezone: string): string {
    return `timezone(${this.quoteTimezone(timezone)}, CAST(${inner} AS TIMESTAMPTZ))`;
  }

  protected visitIntervalAdd(inner: string, amount: number, unit: TimeUnit): string {
    const n = this.normalizeInterval(amount, unit);
    return `(${inner} ${n.amount < 0 ? '-' : '+'} INTERVAL '${Math.abs(n.amount)} ${n.unit}')`;
  }

  protected visitCustomTrunc(inner: string, origin: string, bucket: CustomBucketSize): string {
    const o = this.visitTimestampLiteral(origin);
    const n = `floor((epoch(${inner}) - epoch(${o})) / ${bucket.nominalSeconds})`;
    return `(${o} + to_months(CAST(${bucket.months} * ${n} AS INTEGER)) + to_seconds(CAST(${bucket.seconds} * ${n} AS BIGINT)))`;
  }
}

/** Creates the DuckDB dialect (also what the pre-aggregation store speaks). */
export function createDuckDbDialect(): Dialect {
  const compiler = new DuckDbCompiler(CAPABILITIES);
  return {
    name: 'duckdb',
    capabilities: CAPABILITIES,
    compile: (query: SelectQueryNode) => compiler.compile(query),
    quoteIdentifier: (name: string) => compiler.quoteIdentifier(name),
  };
}
