/**
 * The real-time path across restarts (issue 11): the local stream lives on disk (kinesalite with
 * LevelDB beside the lakehouse), so a restarted stack finds the stream its checkpoints belong to
 * and resumes; a stream created again (data folder lost, or deleted and created under a running
 * consumer) is recognised by its identity: its shards start from the configured position with one
 * warning, never a retry loop. Real kinesalite, real DuckDB; expected events are the ids the test
 * itself produced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteStreamCommand, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLakehouse, queryRows } from '../../src/lakehouse/open-lakehouse.ts';
import { createKinesisClient } from '../../src/lakehouse/stream/create-kinesis-client.ts';
import { ensureStream } from '../../src/lakehouse/stream/ensure-stream.ts';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import { ensureLocalStreamingTables, startLocalStreaming, type LocalStreaming } from '../../src/lakehouse/stream/start-local-streaming.ts';
import { describeStreamIdentity } from '../../src/lakehouse/stream/stream-identity.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';

/** Log lines by level, as the stack writes them. */
function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; message: string; object: object }[] = [];
  const at = (level: 'info' | 'warn' | 'error') => (object: object, message?: string) => void lines.push({ level, message: message ?? '', object });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines, of: (level: string) => lines.filter((l) => l.level === level) };
}

describe('the local stream across restarts', () => {
  let dir: string;
  let duckdbPath: string;
  const generator = new EventGenerator({ seed: 11 });
  const produced: string[] = [];

  beforeAll(async () => {
    delete process.env.KINESIS_ENDPOINT;
    delete process.env.KINESIS_INITIAL_POSITION;
    dir = await mkdtemp(join(tmpdir(), 'stream-restarts-'));
    duckdbPath = join(dir, 'lakehouse.duckdb');
    await ensureLocalStreamingTables(duckdbPath); // as npm start does before anything reads them
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Puts `n` new events through the stack's producer; resolves with the ms until all are in gold. */
  async function produceAndWait(streaming: LocalStreaming, n: number): Promise<number> {
    const events = generator.take(n);
    const started = Date.now();
    const sent = await streaming.producer.send(events);
    expect(sent.failed).toEqual([]);
    produced.push(...events.map((e) => e.event_id));
    const connection = await openLakehouse(duckdbPath);
    try {
      for (;;) {
        const [row] = await queryRows(connection, `SELECT count(DISTINCT evento_id) AS n FROM gold.fato_eventos WHERE evento_id IN (${events.map((e) => `'${e.event_id}'`).join(', ')})`);
        if (Number(row!.n) === events.length) return Date.now() - started;
        if (Date.now() - started > 30_000) throw new Error(`only ${String(row!.n)} of ${events.length} events reached gold in 30 s`);
        await sleep(25);
      }
    } finally {
      connection.closeSync();
    }
  }

  async function bronzeCounts(): Promise<{ rows: number; distinct: number; produced: number }> {
    const connection = await openLakehouse(duckdbPath);
    try {
      const [row] = await queryRows(connection, 'SELECT count(*) AS rows, count(DISTINCT event_id) AS ids FROM bronze.events');
      return { rows: Number(row!.rows), distinct: Number(row!.ids), produced: new Set(produced).size };
    } finally {
      connection.closeSync();
    }
  }

  async function checkpoints(): Promise<{ shard_id: string; stream_created_at: string | null }[]> {
    const connection = await openLakehouse(duckdbPath);
    try {
      return (await queryRows(connection, 'SELECT shard_id, stream_created_at FROM bronze._stream_checkpoints ORDER BY shard_id')) as never;
    } finally {
      connection.closeSync();
    }
  }

  it('keeps the stream on disk: each restart resumes from its checkpoints, silently', async () => {
    const log = recordingLogger();
    let identity: string | undefined;
    const times: number[] = [];
    for (let start = 0; start < 3; start++) {
      const streaming = await startLocalStreaming({ duckdbPath, archiveRoot: join(dir, 'archive'), ratePerSecond: 0, logger: log.logger });
      try {
        times.push(await produceAndWait(streaming, 40));
        const created = await identityAt(streaming.endpoint, streaming.streamName);
        identity ??= created;
        expect(created).toBe(identity); // the same stream, not a new one
        expect(streaming.monitor.health()).toEqual({ ready: true });
      } finally {
        await streaming.stop();
      }
    }
    console.log('restart: produce → in gold (ms)', times);
    for (const ms of times) expect(ms).toBeLessThan(5_000);
    expect(log.of('warn')).toEqual([]);
    expect(log.of('error')).toEqual([]);
    // Every event once; checkpoints carry the stream's identity.
    expect(await bronzeCounts()).toEqual({ rows: 120, distinct: 120, produced: 120 });
    const saved = await checkpoints();
    expect(saved.length).toBe(2);
    for (const c of saved) expect(c.stream_created_at).toBe(identity);
  }, 120_000);

  it('starts a stream created again (its data folder lost) from TRIM_HORIZON with one warning', async () => {
    // kinesalite stamps a stream's creation (its identity) in whole seconds, and the test above can
    // run within one: a stream created again in the same second would carry the first one's identity,
    // which Kinesis never gives (deleting and creating a stream takes seconds). Recreate it at least a
    // second after the first was created.
    await sleep(1_100);
    await rm(join(dir, 'kinesis'), { recursive: true, force: true });
    const log = recordingLogger();
    const streaming = await startLocalStreaming({ duckdbPath, archiveRoot: join(dir, 'archive'), ratePerSecond: 0, logger: log.logger });
    try {
      const ms = await produceAndWait(streaming, 30);
      expect(ms).toBeLessThan(5_000);
      // A few more idle rounds: the warning must not repeat.
      await sleep(1_500);
      const warnings = log.of('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/is not the one 2 saved checkpoint\(s\) belong to .*reading its shards from TRIM_HORIZON/);
      expect(log.of('error')).toEqual([]);
      const identity = await identityAt(streaming.endpoint, streaming.streamName);
      for (const c of await checkpoints()) expect(c.stream_created_at).toBe(identity);
    } finally {
      await streaming.stop();
    }
    expect(await bronzeCounts()).toEqual({ rows: 150, distinct: 150, produced: 150 });
  }, 60_000);
});

describe('a stream created again under a running consumer', () => {
  let h: StreamHarness;
  beforeAll(async () => {
    h = await createStreamHarness(2);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('drops the old checkpoints once, reads the new stream from its start, and stores every event once', async () => {
    const warnings: string[] = [];
    const consumer = await h.consumer({ onWarning: (message) => warnings.push(message) });
    const first = new EventGenerator({ seed: 3 }).take(50);
    await h.producer.send(first);
    await consumer.drain();
    const before = consumer.streamIdentity()!.createdAt;

    await h.client.send(new DeleteStreamCommand({ StreamName: h.streamName }));
    await waitUntilGone(h);
    await sleep(1_100); // kinesalite stamps streams by the second: a new second, a new identity
    await ensureStream(h.client, h.streamName, 3);
    const second = new EventGenerator({ seed: 4 }).take(60);
    await h.producer.send(second);
    await sleep(150); // past the consumer's shard refresh interval (100 ms in the harness)
    await consumer.drain();
    await consumer.drain();

    expect(consumer.streamIdentity()!.createdAt).not.toBe(before);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/created again/);
    const [counts] = await h.query<{ rows: bigint; ids: bigint }>('SELECT count(*) AS rows, count(DISTINCT event_id) AS ids FROM bronze.events');
    expect({ rows: Number(counts!.rows), ids: Number(counts!.ids) }).toEqual({ rows: 110, ids: 110 });
    const stored = new Set((await h.query<{ event_id: string }>('SELECT event_id FROM bronze.events')).map((r) => r.event_id));
    for (const e of [...first, ...second]) expect(stored.has(e.event_id), e.event_id).toBe(true);
  }, 60_000);

  it('starts shards without a checkpoint at LATEST when configured so', async () => {
    const before = new EventGenerator({ seed: 5 }).take(20);
    await h.client.send(new DeleteStreamCommand({ StreamName: h.streamName }));
    await waitUntilGone(h);
    await sleep(1_100);
    await ensureStream(h.client, h.streamName, 2);
    await h.producer.send(before); // already in the stream when the consumer starts: skipped
    const warnings: string[] = [];
    const consumer = await h.consumer({ initialPosition: 'LATEST', onWarning: (message) => warnings.push(message) });
    await consumer.drain();
    const after = new EventGenerator({ seed: 6 }).take(25);
    await h.producer.send(after);
    await consumer.drain();
    expect(warnings).toHaveLength(1); // the previous test's checkpoints, on the stream deleted here
    const ids = new Set((await h.query<{ event_id: string }>('SELECT event_id FROM bronze.events')).map((r) => r.event_id));
    for (const e of after) expect(ids.has(e.event_id), e.event_id).toBe(true);
    for (const e of before) expect(ids.has(e.event_id), e.event_id).toBe(false);
  }, 60_000);
});

async function waitUntilGone(h: StreamHarness): Promise<void> {
  for (;;) {
    try {
      await describeStreamIdentity(h.client, h.streamName);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await sleep(20);
  }
}

/** The current identity of the stream behind a kinesalite endpoint. */
async function identityAt(endpoint: string, streamName: string): Promise<string> {
  const client = createKinesisClient({ region: 'us-east-1', endpoint });
  try {
    return (await describeStreamIdentity(client, streamName)).createdAt;
  } finally {
    client.destroy();
  }
}
