import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBronzeEventsTables } from './bronze-events-tables.ts';
import { MicroBatchRunner } from './micro-batch-runner.ts';
import { WriteLock } from './write-lock.ts';

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

  it('with overlapConsumerCommits, rows committed while a micro-batch runs go to the next one, each exactly once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'micro-batch-'));
    await writeFile(join(dir, '00_tables.sql'), 'CREATE TABLE IF NOT EXISTS copy_of_events AS SELECT * FROM bronze.events WHERE false;\n');
    await writeFile(join(dir, '10_copy.sql'), 'INSERT INTO copy_of_events SELECT * FROM bronze_events_batch;\n\nINSERT INTO copy_of_events SELECT * FROM bronze_events_batch WHERE false;\n');
    const instance = await DuckDBInstance.create(join(dir, 'lake.duckdb'));
    const writer = await instance.connect();
    await ensureBronzeEventsTables(writer);
    const lock = new WriteLock();
    let next = 0;
    // A consumer commit: rows stamped inside the lock, on the writer's own connection.
    const commit = (rows: number) =>
      lock.run(async (stampMs) => {
        const values = Array.from({ length: rows }, () => `('e${next++}', make_timestamp(${stampMs * 1000}))`).join(', ');
        await writer.run(`INSERT INTO bronze.events (event_id, _ingested_at) VALUES ${values}`);
      });
    const commits: Promise<void>[] = [];
    let interleave = true;
    const runner = new MicroBatchRunner({
      connection: await instance.connect(), writeLock: lock, sqlDir: dir, overlapConsumerCommits: true,
      // Between two statements of the micro-batch the lock is free: a commit lands mid-batch.
      onTiming: (step) => {
        if (interleave && step.startsWith('10_copy.sql')) commits.push(commit(3));
      },
    });
    await commit(5);
    const first = await runner.runOnce();
    interleave = false;
    await Promise.all(commits);
    expect(first.bronzeRows).toBe(5);
    expect(commits.length).toBe(2);
    const second = await runner.runOnce();
    expect(second.bronzeRows).toBe(6);
    await Promise.all(commits);
    while ((await runner.runOnce()).bronzeRows > 0) await Promise.all(commits);
    const [[copied, distinct]] = (await writer.runAndReadAll('SELECT count(*), count(DISTINCT event_id) FROM copy_of_events')).getRows() as [[bigint, bigint]];
    expect([Number(copied), Number(distinct)]).toEqual([next, next]);
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  });
});
