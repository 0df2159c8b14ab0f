import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';

/** SQL fragments shared by the file loaders. */
export const fileListSql = (files: readonly LandingFile[]) => `[${files.map((f) => sqlString(f.absolutePath)).join(', ')}]`;

/** The landing-relative path of a file DuckDB reports by absolute name. */
export const relativeSourceSql = (ctx: BatchContext, column: string) =>
  `replace(substr(${column}, ${ctx.landingDir.length + 2}), '\\', '/')`;

export const lineageSql = (ctx: BatchContext, sourceColumn: string) =>
  `TIMESTAMP '${ctx.ingestedAt}', ${relativeSourceSql(ctx, sourceColumn)}, ${sqlString(ctx.batchId)}`;

export const columnListSql = (source: LandingSource) => source.columns.map(([name]) => name).join(', ');

export const requiredMissingSql = (source: LandingSource) => source.required.map((c) => `${c} IS NULL`).join(' OR ');

/** `missing required field a, b` for the required columns that are null, else NULL. */
export const missingReasonSql = (source: LandingSource, valueOf: (column: string, index: number) => string) => {
  const parts = source.required.map((c) => `CASE WHEN ${valueOf(c, source.columns.findIndex(([n]) => n === c))} IS NULL THEN '${c}' END`);
  return `CASE WHEN ${parts.map((p) => `${p} IS NOT NULL`).join(' OR ')} THEN 'missing required field ' || concat_ws(', ', ${parts.join(', ')}) END`;
};
