import { PGlite } from '@electric-sql/pglite';
import { loadModule } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCatalogFunctions } from './refused-catalog-function.ts';

/**
 * The volatile or parallel-unsafe pg_catalog functions the catalog lets clients call: they read
 * the clock, random numbers, sizes, the session's own query or catalog state, and write nothing.
 */
const ALLOWED_VOLATILE = new Set([
  'array_sample', 'array_shuffle', 'random', 'timeofday', 'random_normal', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'clock_timestamp',
  'current_query', 'current_schema', 'current_schemas', 'pg_relation_size', 'pg_table_size', 'pg_indexes_size',
  'pg_total_relation_size', 'pg_database_size', 'pg_tablespace_size', 'pg_is_in_recovery', 'pg_jit_available',
  'pg_collation_actual_version', 'pg_database_collation_actual_version', 'pg_partition_tree', 'pg_partition_ancestors',
  'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids', 'pg_lock_status', 'pg_prepared_xact', 'pg_notification_queue_usage',
  'pg_stat_have_stats', 'pg_last_committed_xact', 'pg_xact_commit_timestamp', 'pg_xact_commit_timestamp_origin',
  'pg_is_wal_replay_paused', 'pg_get_wal_replay_pause_state', 'pg_current_wal_lsn', 'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn', 'pg_last_wal_receive_lsn', 'pg_last_wal_replay_lsn', 'pg_last_xact_replay_timestamp',
  'pg_available_wal_summaries', 'pg_get_wal_summarizer_state', 'pg_get_wal_resource_managers', 'pg_get_backend_memory_contexts',
  'pg_get_shmem_allocations', 'pg_get_shmem_allocations_numa', 'pg_get_wait_events', 'pg_get_loaded_modules', 'pg_get_aios',
  'pg_get_multixact_members', 'amvalidate', 'currtid2', 'system', 'bernoulli', 'pg_show_replication_origin_status',
]);

let db: PGlite;

beforeAll(async () => {
  await loadModule();
  db = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

function sqlStateOf(sql: string): string | undefined {
  try {
    checkCatalogFunctions(sql);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('checkCatalogFunctions', () => {
  it("refuses every volatile or parallel-unsafe function of PGlite's pg_catalog that is not known to be harmless", async () => {
    const rows = (
      await db.query<{ proname: string }>(
        `SELECT DISTINCT proname FROM pg_catalog.pg_proc
          WHERE pronamespace = 'pg_catalog'::regnamespace AND (provolatile = 'v' OR proparallel = 'u')
            AND prorettype <> 'internal'::regtype AND NOT ('internal'::regtype = ANY (proargtypes)) AND proname !~ '_(in|out|recv|send|handler)$' AND proname !~ '^pg_stat_get_'`,
      )
    ).rows;
    expect(rows.length).toBeGreaterThan(150);
    // ts_rewrite is refused in its two-argument (query) form only: see the next test.
    const unjudged = rows.map((r) => r.proname).filter((name) => !ALLOWED_VOLATILE.has(name) && name !== 'ts_rewrite' && sqlStateOf(`SELECT ${name}()`) !== 'ACCESS_DENIED');
    expect(unjudged).toEqual([]);
  });

  it('refuses the SQL-running functions however they are written, and lets catalog reads through', () => {
    for (const sql of [
      "SELECT * FROM ts_stat('SELECT 1')",
      "SELECT pg_catalog.TS_STAT('SELECT 1')",
      "SELECT ts_rewrite('a'::tsquery, 'SELECT 1')",
      "SELECT schema_to_xml('public', true, false, '')",
      "SELECT database_to_xml_and_xmlschema(true, false, '')",
      "SELECT table_to_xmlschema('pg_class'::regclass, true, false, '')",
      "SELECT 1 WHERE EXISTS (SELECT set_config('a.b', 'c', false))",
      'SELECT * FROM pg_catalog.pg_file_settings',
      'SELECT rolname, rolpassword FROM pg_authid',
      'SELECT 1 FROM pg_class c WHERE EXISTS (SELECT 1 FROM pg_hba_file_rules)',
    ]) {
      expect(sqlStateOf(sql), sql).toBe('ACCESS_DENIED');
    }
    for (const sql of [
      "SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)",
      'SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner), pg_catalog.pg_table_size(c.oid), pg_catalog.obj_description(c.oid) FROM pg_catalog.pg_class c',
      "SELECT current_schemas(true), pg_is_in_recovery(), random(), now(), current_setting('server_version')",
    ]) {
      expect(sqlStateOf(sql), sql).toBeUndefined();
    }
    expect(sqlStateOf('SELEC 1')).toBe('QUERY_INVALID');
  });
});
