import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLakehouse, queryRows } from '../../src/lakehouse/open-lakehouse.ts';
import { startLocalStreaming, type LocalStreaming } from '../../src/lakehouse/stream/start-local-streaming.ts';

describe('startLocalStreaming (what npm start runs)', () => {
  let dir: string;
  let streaming: LocalStreaming;
  beforeAll(async () => {
    delete process.env.KINESIS_ENDPOINT;
    dir = await mkdtemp(join(tmpdir(), 'local-streaming-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('produces, consumes and keeps campaign metrics moving until stopped', async () => {
    const logged: string[] = [];
    const logger = { info: (_: object, m?: string) => logged.push(m ?? ''), error: (o: object, m?: string) => logged.push(`ERROR ${m} ${String((o as { err: unknown }).err)}`) };
    streaming = await startLocalStreaming({ duckdbPath: join(dir, 'lakehouse.duckdb'), archiveRoot: dir, ratePerSecond: 300, logger });
    expect(streaming.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const connection = await openLakehouse(join(dir, 'lakehouse.duckdb'));
    const sessions = async () => Number((await queryRows(connection, 'SELECT coalesce(sum(sessoes), 0) AS n FROM gold.campanha_metricas_minuto').catch(() => [{ n: 0 }]))[0]!.n);
    const deadline = Date.now() + 60_000;
    while ((await sessions()) < 20 && Date.now() < deadline) await sleep(200);
    const first = await sessions();
    // The metrics keep moving: wait (generously, the machine may be busy) for more sessions.
    let later = first;
    while (later <= first && Date.now() < deadline + 30_000) {
      await sleep(200);
      later = await sessions();
    }
    await streaming.stop();

    expect(first).toBeGreaterThanOrEqual(20);
    expect(later).toBeGreaterThan(first);
    const [counts] = await queryRows(connection, 'SELECT (SELECT count(*) FROM bronze.events) AS bronze, (SELECT count(*) FROM gold.fato_eventos) AS gold');
    expect(Number(counts!.bronze)).toBeGreaterThan(0);
    expect(Number(counts!.gold)).toBe(Number(counts!.bronze));
    expect(await readdir(join(dir, 'bronze', 'events'))).toEqual([expect.stringMatching(/^\d{4}$/)]);
    expect(logged.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    connection.closeSync();
  });
});
