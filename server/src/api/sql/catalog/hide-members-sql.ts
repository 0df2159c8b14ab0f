/**
 * The DDL that turns the catalog of a whole model into the catalog one caller may see: tables
 * `visibleTables` leaves out are dropped, hidden columns of the others are dropped. It runs inside
 * a transaction that is rolled back (Postgres DDL is transactional), so the shared catalog keeps
 * every table and the OIDs and column numbers of what stays visible do not change.
 *
 * A dropped column stays in pg_attribute as `attisdropped` with the name
 * "........pg.dropped.N........", no type and no comment; information_schema, psql, pgjdbc and
 * Npgsql all filter those rows out (`NOT attisdropped`). What remains visible to a client reading
 * pg_attribute unfiltered is that a column existed at that position, not its name or type.
 */
import { visibleTables, type ModelTable } from './model-tables.ts';

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** The statements hiding what `isVisible` refuses, or undefined when the caller sees everything. */
export function hideMembersSql(tables: readonly ModelTable[], isVisible: (memberPath: string) => boolean): string | undefined {
  const shown = new Map(visibleTables(tables, isVisible).map((t) => [t.name, t]));
  const dropTables: string[] = [];
  const statements: string[] = [];
  for (const table of tables) {
    const visible = shown.get(table.name);
    if (!visible) {
      dropTables.push(`public.${quoteIdent(table.name)}`);
      continue;
    }
    if (visible.columns.length === table.columns.length) continue;
    const hidden = table.columns.filter((c) => !visible.byName.has(c.name.toLowerCase()));
    statements.push(`ALTER TABLE public.${quoteIdent(table.name)} ${hidden.map((c) => `DROP COLUMN ${quoteIdent(c.name)}`).join(', ')}`);
  }
  if (dropTables.length > 0) statements.unshift(`DROP TABLE ${dropTables.join(', ')}`);
  return statements.length > 0 ? statements.join(';\n') : undefined;
}
