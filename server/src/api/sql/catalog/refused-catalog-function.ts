/**
 * The functions a catalog statement may not call. The catalog database is one PGlite session
 * shared by every connection, so a function that runs SQL given as text, writes state (large
 * objects, sequences, settings, locks, statistics, WAL, replication), reads or lists files,
 * signals backends or sleeps would let one client read the server's files or change what every
 * other client sees. The list was drawn from PGlite's own pg_proc: every pg_catalog function that
 * is volatile or parallel-unsafe was judged one by one; what remains allowed only reads the
 * catalog, the clock or random numbers (`clock_timestamp`, `random`, `gen_random_uuid`,
 * `pg_relation_size` and the other size functions psql's `\dt+` calls, `pg_is_in_recovery`, …).
 * The SQL-running functions that are merely stable (`table_to_xml`, `schema_to_xml`,
 * `database_to_xml` and their `_and_xmlschema`/`xmlschema` forms) are refused too, as is
 * `ts_rewrite` with a query argument (its three-argument form only rewrites a tsquery).
 *
 * This is the check on the parse tree; each catalog statement also runs inside a read-only
 * transaction that is rolled back (`shared-catalog-database.ts`), so a write or a setting that
 * got past it would neither succeed nor outlive its statement.
 */
import { parseSync } from 'libpg-query';
import { UserError } from '../../../errors/user-error.ts';
import { names, walkAst } from '../translate/walk-ast.ts';

/** Functions that run SQL text, or write, signal, sleep, or read files and server internals. */
const REFUSED = new RegExp(
  '^(' +
    [
      // Run the SQL text (or the cursor, table, schema or database) they are given.
      'ts_stat',
      '(query|cursor|table|schema|database)_to_xml(schema|_and_xmlschema)?',
      'dblink.*',
      // Settings, sequences, large objects, locks, notifications, transaction ids.
      'set_config',
      'setseed',
      'nextval',
      'setval',
      'currval',
      'lastval',
      'lo_.*',
      'loread',
      'lowrite',
      'pg_advisory.*',
      'pg_try_advisory.*',
      'pg_notify',
      'txid_current.*',
      'txid_status',
      'pg_current_xact_id.*',
      'pg_xact_status',
      'pg_export_snapshot',
      // Files and what Postgres read from them.
      'pg_read_.*',
      'pg_ls_.*',
      'pg_stat_file',
      'pg_file_.*',
      'pg_current_logfile',
      'pg_show_all_file_settings',
      'pg_hba_file_rules',
      'pg_ident_file_mappings',
      'pg_control_.*',
      // Sleeping, signalling, administration, statistics, WAL, replication, upgrades.
      'pg_sleep.*',
      'pg_cancel_backend',
      'pg_terminate_backend',
      'pg_reload_conf',
      'pg_rotate_logfile',
      'pg_log_.*',
      'pg_promote',
      'pg_backup_.*',
      'pg_start_backup',
      'pg_stop_backup',
      'pg_switch_wal',
      'pg_create_.*',
      'pg_drop_.*',
      'pg_copy_.*',
      'pg_wal_.*',
      'pg_logical_.*',
      'pg_replication_.*',
      'pg_sync_replication_slots',
      'pg_stat_reset.*',
      'pg_stat_clear_snapshot',
      'pg_stat_force_next_flush',
      'pg_clear_.*_stats',
      'pg_restore_.*_stats',
      'pg_import_system_collations',
      'pg_nextoid',
      'pg_stop_making_pinned_objects',
      'pg_extension_config_dump',
      'binary_upgrade_.*',
      'brin_.*summarize.*',
      'gin_clean_pending_list',
      'pg_isolation_test_session_is_blocked',
      'pg_get_sequence_data',
      'pg_sequence_last_value',
      // Handlers and triggers are never called from SQL by clients.
      'plpgsql_.*',
      'ri_fkey_.*',
      'tsvector_update_trigger.*',
      'suppress_redundant_updates_trigger',
      'unique_key_recheck',
    ].join('|') +
    ')$',
  'i',
);

/**
 * Views that show what Postgres read from its files (configuration, authentication rules, build
 * paths) or role secrets: PGlite runs as a superuser, so nothing else keeps them from clients.
 */
const REFUSED_RELATIONS = /^(pg_file_settings|pg_hba_file_rules|pg_ident_file_mappings|pg_config|pg_authid|pg_shadow|pg_user_mappings|pg_largeobject)$/i;

/** The name of the first refused function `tree` calls (or refused view it reads, named `view x`), or undefined. */
export function findRefusedCatalogFunction(tree: unknown): string | undefined {
  let found: string | undefined;
  walkAst(tree, (type, body) => {
    if (found) return false;
    if (type === 'RangeVar' && REFUSED_RELATIONS.test(String(body.relname ?? ''))) found = `view ${body.relname}`;
    if (type !== 'FuncCall') return found === undefined;
    const fn = names(body.funcname).at(-1) ?? '';
    const withQuery = fn.toLowerCase() === 'ts_rewrite' && (body.args?.length ?? 0) === 2;
    if (REFUSED.test(fn) || withQuery) found = names(body.funcname).join('.');
    return found === undefined;
  });
  return found;
}

/**
 * Throws 42501 when the statement calls a refused function, and 42601 when it cannot be parsed
 * (what PGlite would run must be what was checked). Catalog statements reach here already parsed
 * once by the classifier; this parses the text that is actually sent, after its rewrites.
 */
export function checkCatalogFunctions(sql: string): void {
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch (error) {
    throw new UserError('QUERY_INVALID', `the catalog statement could not be parsed: ${(error as Error).message}`);
  }
  const fn = findRefusedCatalogFunction(tree);
  if (fn?.startsWith('view ')) throw new UserError('ACCESS_DENIED', `${fn.slice(5)} is not readable in the SQL API: it shows the catalog server's files or role secrets`);
  if (fn) throw new UserError('ACCESS_DENIED', `function ${fn}() is not allowed in the SQL API: it runs SQL text, changes shared state or reads server files`);
}
