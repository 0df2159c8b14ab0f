/**
 * The catalog is PostgreSQL 18's, and clients ask for catalog columns by the names of the server
 * version they were written for: psql 15 and 16 build `\l` with `pg_database.daticulocale`, which
 * PostgreSQL 17 renamed `datlocale` (psql reads server_version 18 and still uses its own newest
 * query). A statement that names such a column gets each reference to the catalog relation
 * replaced, in its parse tree's extent, by a subquery of the relation with the old names added
 * under the same alias, so `d.daticulocale` resolves; every other statement passes unchanged.
 * https://www.postgresql.org/docs/release/17.0/ (pg_database: daticulocale renamed to datlocale)
 */
import { parseSync } from 'libpg-query';
import { applySplices, SqlText, type Splice } from '../translate/sql-text.ts';
import { names, walkAst, type AstNode } from '../translate/walk-ast.ts';

/** Catalog relations whose columns were renamed: old name → current name. */
const RENAMED_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  pg_database: { daticulocale: 'datlocale' },
};

const OLD_NAMES = new Set(Object.values(RENAMED_COLUMNS).flatMap((columns) => Object.keys(columns)));
const MENTIONS_OLD_NAME = new RegExp(`\\b(${[...OLD_NAMES].join('|')})\\b`, 'i');

/** The relation as a subquery that also answers to the old column names. */
function compatRelation(relation: string): string {
  const added = Object.entries(RENAMED_COLUMNS[relation]!).map(([old, current]) => `r.${current} AS ${old}`);
  return `(SELECT r.*, ${added.join(', ')} FROM pg_catalog.${relation} r)`;
}

/** The statement with renamed catalog columns answered under their old names (unchanged when none is named). */
export function rewriteCatalogCompat(sql: string): string {
  if (!MENTIONS_OLD_NAME.test(sql)) return sql;
  let stmt: AstNode | undefined;
  try {
    stmt = (parseSync(sql) as { stmts?: { stmt?: AstNode }[] }).stmts?.[0]?.stmt;
  } catch {
    return sql; // the catalog database reports the syntax error itself
  }
  let namesOldColumn = false;
  walkAst(stmt, (type, body) => {
    if (type === 'ColumnRef' && OLD_NAMES.has(names(body.fields).at(-1) ?? '')) namesOldColumn = true;
  });
  if (!namesOldColumn) return sql;
  const text = new SqlText(sql);
  const splices: Splice[] = [];
  walkAst(stmt, (type, body) => {
    if (type !== 'RangeVar' || !RENAMED_COLUMNS[body.relname] || (body.schemaname && body.schemaname !== 'pg_catalog')) return;
    const alias = body.alias ? '' : ` ${body.relname}`;
    splices.push({ start: body.location, end: text.nameEnd(body.location), text: `${compatRelation(body.relname)}${alias}` });
  });
  return splices.length ? applySplices(text, splices) : sql;
}
