import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBronzeEventsTables } from './bronze-events-tables.ts';
import { MicroBatchRunner } from './micro-batch-runner.ts';

describe('MicroBatchRunner', () => {
  it('reports a failing SQL file with its path and line and leaves the watermark untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'micro-batch-'));
    await writeFile(join(dir, '00_tables.sql'), 'CREATE TABLE IF NOT EXISTS copy_of_events AS SELECT * FROM bronze.events WHERE false;\n');
    await writeFile(join(dir, '10_broken.sql'), '-- copies the batch\nINSERT INTO copy_of_events SELECT * FROM bronze_events_batch;\n\nSELECT no_such_column\nFROM bronze_events_batch;\n');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await ensureBronzeEventsTables(connection);
    await connection.run(`INSERT INTO bronze.events (event_id, _ingested_at) VALUES ('e1', TIMESTAMP '2026-01-01 10:00:00')`);
    const runner = new MicroBatchRunner({ connection, sqlDir: dir });

    await expect(runner.runOnce()).rejects.toMatchObject({
      code: 'PIPELINE_INPUT',
      location: { file: join(dir, '10_broken.sql'), line: 4 },
    });
    // The whole micro-batch rolled back: neither the copy nor the watermark moved.
    const copied = (await connection.runAndReadAll('SELECT count(*) FROM copy_of_events')).getRows()[0]![0];
    const progress = (await connection.runAndReadAll('SELECT count(*) FROM silver._stream_progress')).getRows()[0]![0];
    expect([Number(copied), Number(progress)]).toEqual([0, 0]);
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  });
});
