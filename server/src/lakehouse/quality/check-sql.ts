import type { TableChecks } from './quality-types.ts';

/**
 * A check turned into SQL that returns one row per problem (a failing row; for `unique`, a duplicated
 * key) with a `sample` column.
 */
export interface CheckQuery {
  readonly check: string;
  readonly sql: string;
}

/** Builds the failing-rows query of every check declared for a table. */
export function buildCheckQueries(checks: TableChecks): CheckQuery[] {
  const t = checks.table;
  const key = `CAST(${checks.key} AS VARCHAR)`;
  const queries: CheckQuery[] = [];
  for (const column of checks.notNull ?? []) {
    queries.push({ check: `not_null(${column})`, sql: `SELECT ${key} AS sample FROM ${t} WHERE ${column} IS NULL` });
  }
  for (const columns of checks.unique ?? []) {
    const list = columns.join(', ');
    queries.push({
      check: `unique(${list})`,
      sql: `SELECT concat_ws(' | ', ${columns.map((c) => `CAST(${c} AS VARCHAR)`).join(', ')}) || ' ×' || CAST(n AS VARCHAR) AS sample
            FROM (SELECT ${list}, count(*) AS n FROM ${t} GROUP BY ${list} HAVING count(*) > 1) d`,
    });
  }
  for (const ref of checks.references ?? []) {
    queries.push({
      check: `references(${ref.column} → ${ref.table}.${ref.refColumn})`,
      sql: `SELECT ${key} || ': ' || CAST(f.${ref.column} AS VARCHAR) AS sample FROM ${t} f
            WHERE f.${ref.column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${ref.table} r WHERE r.${ref.refColumn} = f.${ref.column})`,
    });
  }
  for (const accepted of checks.acceptedValues ?? []) {
    const values = accepted.values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
    queries.push({
      check: `accepted_values(${accepted.column} in ${accepted.values.join('|')})`,
      sql: `SELECT ${key} || ': ' || coalesce(CAST(${accepted.column} AS VARCHAR), 'NULL') AS sample FROM ${t}
            WHERE ${accepted.column} IS NULL OR CAST(${accepted.column} AS VARCHAR) NOT IN (${values})`,
    });
  }
  for (const rule of checks.rules ?? []) {
    queries.push({ check: rule.name, sql: `SELECT ${key} AS sample FROM ${t} WHERE NOT coalesce(${rule.condition}, false)` });
  }
  for (const query of checks.queries ?? []) queries.push({ check: query.name, sql: query.sql });
  return queries;
}
