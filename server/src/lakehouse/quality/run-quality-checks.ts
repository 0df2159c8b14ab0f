import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../errors/user-error.ts';
import { buildCheckQueries } from './check-sql.ts';
import { QUALITY_CHECKS } from './quality-checks.ts';
import type { CheckResult, QualityLayer, QualityReport, TableChecks } from './quality-types.ts';

export type { QualityLayer, QualityReport } from './quality-types.ts';

const SAMPLE_SIZE = 5;

/** A failed quality run; `report` holds every check's result, the message lists the failures. */
export class DataQualityError extends UserError {
  readonly report: QualityReport;

  constructor(report: QualityReport) {
    super('DATA_QUALITY', formatFailures(report), { hint: 'Fix the source data or the transformation, then run the layer again.' });
    this.name = 'DataQualityError';
    this.report = report;
  }
}

/**
 * Runs the declared checks of a layer (quality-checks.ts) against the lakehouse. Returns the report
 * when every check passes; otherwise throws a DataQualityError whose message lists each failing
 * check with its table, the number of failing rows and a few samples.
 */
export async function runQualityChecks(connection: DuckDBConnection, layer: QualityLayer, checks: readonly TableChecks[] = QUALITY_CHECKS[layer]): Promise<QualityReport> {
  const existing = await listTables(connection);
  const results: CheckResult[] = [];
  for (const table of checks) {
    if (!existing.has(table.table)) {
      results.push({ table: table.table, check: 'table exists', failures: 1, samples: [`${table.table} is missing`] });
      continue;
    }
    for (const query of buildCheckQueries(table)) results.push({ table: table.table, check: query.check, ...(await runCheck(connection, query.sql)) });
  }
  const report: QualityReport = { layer, passed: results.every((r) => r.failures === 0), results };
  if (!report.passed) throw new DataQualityError(report);
  return report;
}

async function listTables(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll('SELECT schema_name, table_name FROM duckdb_tables()');
  return new Set(reader.getRows().map(([schema, table]) => `${String(schema)}.${String(table)}`));
}

async function runCheck(connection: DuckDBConnection, failingRows: string): Promise<{ failures: number; samples: string[] }> {
  const reader = await connection.runAndReadAll(
    `WITH failing AS (${failingRows})
     SELECT (SELECT count(*) FROM failing) AS failures,
            (SELECT list(sample) FROM (SELECT DISTINCT sample FROM failing ORDER BY sample LIMIT ${SAMPLE_SIZE})) AS samples`);
  const row = reader.getRowObjectsJson()[0] as { failures: string | number; samples: (string | null)[] | null };
  return { failures: Number(row.failures), samples: (row.samples ?? []).map((s) => s ?? 'NULL') };
}

function formatFailures(report: QualityReport): string {
  const failed = report.results.filter((r) => r.failures > 0);
  const lines = failed.map((r) => `  ${r.table}: ${r.check}: ${r.failures} failing row(s), e.g. ${r.samples.join('; ')}`);
  return `Data quality checks failed for the ${report.layer} layer (${failed.length} of ${report.results.length} checks):\n${lines.join('\n')}`;
}
