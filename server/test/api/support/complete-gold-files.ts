/**
 * The gold fixture of `engine/gold-fixture.ts` (model/ plus the test extras) with the streaming
 * tables added, empty, by the project's own DDL (notebooks/sql/streaming/00_tables.sql), so that
 * every cube of the model has its source table: API testers that pick any member (the fuzz suite,
 * schemathesis) then meet only answers about their input, never a missing table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { prepareGoldFiles } from '../../graphql/support/gold-stack.ts';

const STREAMING_DDL = path.resolve(import.meta.dirname, '../../../../notebooks/sql/streaming/00_tables.sql');

export async function prepareCompleteGoldFiles(): Promise<{ duckdbPath: string; modelDir: string }> {
  const files = await prepareGoldFiles();
  const instance = await DuckDBInstance.create(files.duckdbPath);
  const connection = await instance.connect();
  try {
    await connection.run(await readFile(STREAMING_DDL, 'utf8'));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return files;
}
