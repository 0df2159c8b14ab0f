/**
 * The SQL psql 13–17 send for `\l`, `\dt`, `\dv`, `\dn`, `\df`, `\d <table>` and `\d+ <table>`
 * against a server reporting version 18 (ours), for replay where only psql 15 can be installed.
 *
 * psql picks each query by the server's version, taking the newest branch it knows, so psql N
 * sends its describe.c branches for `sversion >= N0000`. Version 15's texts are what the installed
 * psql 15.18 echoes with `-E`. The other versions' are built from the version branches of
 * postgres/postgres src/bin/psql/describe.c, the facts that differ being:
 * - `\l`: 13/14 have no locale-provider columns; 15 adds `datlocprovider` and `daticulocale`
 *   ("ICU Locale"); 16 also `daticurules`; 17 reads `datlocale` (renamed in PostgreSQL 17), adds
 *   the builtin provider and prints empty ACLs as "(none)";
 * - `\d`: 13 reads statistics objects with `stxkeys` + `stxstattarget` (the `>= 100000` branch) and
 *   child tables without `inhdetachpending`; 13/14 read publications without
 *   `pg_publication_namespace` (added in 15); `\d+` reads `attcompression` from 14 on.
 * `{oid}` stands for the table OID the first `\d` query returns.
 */

export type PsqlVersion = 13 | 14 | 15 | 16 | 17;
export const PSQL_VERSIONS: readonly PsqlVersion[] = [13, 14, 15, 16, 17];

const RELKIND_LABELS = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type"`;

export function listDatabases(v: PsqlVersion): string {
  const columns = [`d.datname as "Name"`, `pg_catalog.pg_get_userbyid(d.datdba) as "Owner"`, `pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding"`];
  if (v <= 14) columns.push(`d.datcollate as "Collate"`, `d.datctype as "Ctype"`);
  else if (v === 15) columns.push(`d.datcollate as "Collate"`, `d.datctype as "Ctype"`, `d.daticulocale as "ICU Locale"`, `CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider"`);
  else if (v === 16) columns.push(`CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider"`, `d.datcollate as "Collate"`, `d.datctype as "Ctype"`, `d.daticulocale as "ICU Locale"`, `d.daticurules as "ICU Rules"`);
  else columns.push(`CASE d.datlocprovider WHEN 'b' THEN 'builtin' WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider"`, `d.datcollate as "Collate"`, `d.datctype as "Ctype"`, `d.datlocale as "Locale"`, `d.daticurules as "ICU Rules"`);
  columns.push(
    v >= 17
      ? `CASE WHEN pg_catalog.array_length(d.datacl, 1) = 0 THEN '(none)' ELSE pg_catalog.array_to_string(d.datacl, E'\\n') END AS "Access privileges"`
      : `pg_catalog.array_to_string(d.datacl, E'\\n') AS "Access privileges"`,
  );
  return `SELECT ${columns.join(',\n       ')}\nFROM pg_catalog.pg_database d\nORDER BY 1;`;
}

/** `\dt` (relkinds 'r','p') or `\dv` (relkind 'v'). */
export function listTables(kinds: 't' | 'v'): string {
  const am = kinds === 't' ? `\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam` : '';
  return `SELECT n.nspname as "Schema",
  c.relname as "Name",
  ${RELKIND_LABELS},
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace${am}
WHERE c.relkind IN (${kinds === 't' ? `'r','p',''` : `'v',''`})
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`;
}

export const LIST_SCHEMAS = `SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;`;

export const LIST_FUNCTIONS = `SELECT n.nspname as "Schema",
  p.proname as "Name",
  pg_catalog.pg_get_function_result(p.oid) as "Result data type",
  pg_catalog.pg_get_function_arguments(p.oid) as "Argument data types",
 CASE p.prokind
  WHEN 'a' THEN 'agg'
  WHEN 'w' THEN 'window'
  WHEN 'p' THEN 'proc'
  ELSE 'func'
 END as "Type"
FROM pg_catalog.pg_proc p
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE pg_catalog.pg_function_is_visible(p.oid)
      AND n.nspname <> 'pg_catalog'
      AND n.nspname <> 'information_schema'
ORDER BY 1, 2, 4;`;

/** `\d <table>` / `\d+ <table>`: the lookup of the table's OID, then the queries about it. */
export function describeTable(v: PsqlVersion, table: string, verbose: boolean): { lookup: string; details: string[] } {
  const lookup = `SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(${table})$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 2, 3;`;
  const reloptions = verbose ? `pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ')\n` : `''`;
  const info = `SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, ${reloptions}, c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '{oid}';`;
  const columnParts = [
    'a.attname',
    'pg_catalog.format_type(a.atttypid, a.atttypmod)',
    '(SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n   FROM pg_catalog.pg_attrdef d\n   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef)',
    'a.attnotnull',
    '(SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation',
    'a.attidentity',
    'a.attgenerated',
  ];
  if (verbose) {
    columnParts.push('a.attstorage');
    if (v >= 14) columnParts.push('a.attcompression AS attcompression');
    columnParts.push('CASE WHEN a.attstattarget=-1 THEN NULL ELSE a.attstattarget END AS attstattarget', 'pg_catalog.col_description(a.attrelid, a.attnum)');
  }
  const columns = `SELECT ${columnParts.join(',\n  ')}\nFROM pg_catalog.pg_attribute a\nWHERE a.attrelid = '{oid}' AND a.attnum > 0 AND NOT a.attisdropped\nORDER BY a.attnum;`;
  const policies = `SELECT pol.polname, pol.polpermissive,
  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END,
  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),
  CASE pol.polcmd
    WHEN 'r' THEN 'SELECT'
    WHEN 'a' THEN 'INSERT'
    WHEN 'w' THEN 'UPDATE'
    WHEN 'd' THEN 'DELETE'
    END AS cmd
FROM pg_catalog.pg_policy pol
WHERE pol.polrelid = '{oid}' ORDER BY 1;`;
  const statistics =
    v >= 14
      ? `SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname,
pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns,
  'd' = any(stxkind) AS ndist_enabled,
  'f' = any(stxkind) AS deps_enabled,
  'm' = any(stxkind) AS mcv_enabled,
stxstattarget
FROM pg_catalog.pg_statistic_ext
WHERE stxrelid = '{oid}'
ORDER BY nsp, stxname;`
      : `SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace AS nsp, stxname,
  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname),', ')
   FROM pg_catalog.unnest(stxkeys) s(attnum)
   JOIN pg_catalog.pg_attribute a ON (stxrelid = a.attrelid AND
        a.attnum = s.attnum AND NOT attisdropped)) AS columns,
  'd' = any(stxkind) AS ndist_enabled,
  'f' = any(stxkind) AS deps_enabled,
  'm' = any(stxkind) AS mcv_enabled,
  stxstattarget
FROM pg_catalog.pg_statistic_ext
WHERE stxrelid = '{oid}'
ORDER BY 1;`;
  const publications =
    v >= 15
      ? `SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
     JOIN pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid
     JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.pnnspid
WHERE pc.oid ='{oid}' and pg_catalog.pg_relation_is_publishable('{oid}')
UNION
SELECT pubname
     , pg_get_expr(pr.prqual, c.oid)
     , (CASE WHEN pr.prattrs IS NOT NULL THEN
         (SELECT string_agg(attname, ', ')
           FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,
                pg_catalog.pg_attribute
          WHERE attrelid = pr.prrelid AND attnum = prattrs[s])
        ELSE NULL END) FROM pg_catalog.pg_publication p
     JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid
     JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
WHERE pr.prrelid = '{oid}'
UNION
SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
WHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('{oid}')
ORDER BY 1;`
      : `SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid
WHERE pr.prrelid = '{oid}'
UNION ALL
SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
WHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('{oid}')
ORDER BY 1;`;
  const inherits = `SELECT c.oid::pg_catalog.regclass
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhparent AND i.inhrelid = '{oid}'
  AND c.relkind != 'p' AND c.relkind != 'I'
ORDER BY inhseqno;`;
  const children = `SELECT c.oid::pg_catalog.regclass, c.relkind, ${v >= 14 ? 'inhdetachpending' : 'false AS inhdetachpending'}, pg_catalog.pg_get_expr(c.relpartbound, c.oid)
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhrelid AND i.inhparent = '{oid}'
ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.oid::pg_catalog.regclass::pg_catalog.text;`;
  return { lookup, details: [info, columns, policies, statistics, publications, inherits, children] };
}
