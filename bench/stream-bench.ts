/**
 * Streaming benchmark (issue 5). Prints, from one run:
 *  1. event → queryable freshness: producer timestamp (event_time) → the event visible in
 *     gold.fato_eventos through a DuckDB query, p50/p95 over --seconds (≥ 60) at --rate events/s
 *     (targets: p50 ≤ 300 ms, p95 ≤ 1 s). Consumer and micro-batches run as `npm start` runs them.
 *  2. sustained ingest into bronze.events (GetRecords → parse → archive → dedupe insert → checkpoint)
 *     of a --events backlog on 2 shards, divided by what the same kinesalite serves to a bare
 *     GetRecords loop measured in the same run (target ≥ 0.8×; absolute target ≥ 20,000 events/s).
 *     kinesalite runs in a child process here, as Kinesis is remote in production: the consumer
 *     does not share its event loop with the server it reads from.
 *  3. the consumer's peak memory (RSS and heap of this process during the ingest phase).
 * Usage: npx tsx bench/stream-bench.ts [--seconds 60] [--rate 200] [--events 100000] [--only freshness|ingest]
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKinesisClient } from '../server/src/lakehouse/stream/create-kinesis-client.ts';
import { ensureStream } from '../server/src/lakehouse/stream/ensure-stream.ts';
import { EventConsumer } from '../server/src/lakehouse/stream/event-consumer.ts';
import { EventGenerator } from '../server/src/lakehouse/stream/event-generator.ts';
import { EventProducer } from '../server/src/lakehouse/stream/event-producer.ts';
import { MicroBatchRunner } from '../server/src/lakehouse/stream/micro-batch-runner.ts';
import { produceAtRate } from '../server/src/lakehouse/stream/produce-at-rate.ts';
import { startKinesalite } from '../server/src/lakehouse/stream/start-kinesalite.ts';
import { WriteLock } from '../server/src/lakehouse/stream/write-lock.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const seconds = Number(args.get('seconds') ?? 60);
const rate = Number(args.get('rate') ?? 200);
const backlog = Number(args.get('events') ?? 100_000);
const only = args.get('only');
const pollMs = Number(args.get('poll') ?? 25);
const lakeScale = Number(args.get('scale') ?? 0.005);

async function openDb(name: string): Promise<{ instance: DuckDBInstance; a: DuckDBConnection; b: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(path.join(dir, name));
  return { instance, a: await instance.connect(), b: await instance.connect() };
}

/** Sorted-sample quantile (nearest rank). */
function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Collects timings by label; prints count, mean, p50, p95 of each. */
class Timings {
  private readonly samples = new Map<string, number[]>();
  add(label: string, ms: number): void {
    let list = this.samples.get(label);
    if (!list) this.samples.set(label, (list = []));
    list.push(ms);
  }
  print(title: string, order?: (a: string, b: string) => number): void {
    console.log(`  ${title}`);
    const labels = [...this.samples.keys()];
    if (order) labels.sort(order);
    for (const label of labels) {
      const list = [...this.samples.get(label)!].sort((a, b) => a - b);
      const mean = list.reduce((a, b) => a + b, 0) / list.length;
      console.log(`    ${label.padEnd(44)} n=${String(list.length).padStart(6)}  mean ${mean.toFixed(1).padStart(7)} ms  p50 ${quantile(list, 0.5).toFixed(1).padStart(7)}  p95 ${quantile(list, 0.95).toFixed(1).padStart(7)}`);
    }
  }
}

/**
 * Events expected in count buckets (a minute, a second): producer times in acknowledgement order.
 * A REST answer includes an event once its bucket's count reaches the event's rank in the bucket.
 * (The answers carry no event ids: the primary key of `eventos` is not public. Ranking by
 * acknowledgement order assumes events become visible in that order, which holds up to the
 * interleaving of the shards inside one consumer round.)
 */
class BucketTracker {
  private readonly buckets = new Map<string, { times: number[]; next: number; last?: number }>();
  readonly latencies: number[] = [];
  /** Warm-up events: they take their rank in the bucket but are not measured (NaN). */
  expect(bucket: string, producedAt: number = NaN): void {
    let slot = this.buckets.get(bucket);
    if (!slot) this.buckets.set(bucket, (slot = { times: [], next: 0 }));
    slot.times.push(producedAt);
  }
  observe(bucket: string, count: number, at: number): void {
    const slot = this.buckets.get(bucket);
    if (!slot) return;
    while (slot.next < slot.times.length && count >= slot.next + 1) {
      const producedAt = slot.times[slot.next++]!;
      if (!Number.isNaN(producedAt)) this.latencies.push(at - producedAt);
    }
    slot.last = count;
  }
  /** Buckets whose last observed count differs from the events expected in them. */
  mismatches(): string[] {
    return [...this.buckets].filter(([, s]) => s.last !== undefined && s.last !== s.times.length).map(([b, s]) => `${b}: ${s.last} vs ${s.times.length}`);
  }
  unseen(): number {
    return [...this.buckets.values()].reduce((n, s) => n + s.times.filter((t, i) => i >= s.next && !Number.isNaN(t)).length, 0);
  }
  /** The earliest event time not yet seen (ISO minute/second bucket key), for the query's range. */
  oldestOpen(): string | undefined {
    for (const [bucket, slot] of this.buckets) if (slot.next < slot.times.length) return bucket;
    return undefined;
  }
}

const REAL_TIME_CUBE = 'campanhas_tempo_real';
// Every non-purchase event adds exactly 1 to one of these measures, in its event-time minute.
const EVENT_COUNTS = ['visualizacoes_pagina', 'visualizacoes_produto', 'adicoes_carrinho', 'remocoes_carrinho', 'checkouts'];
const COUNTED_TYPE: Record<string, boolean> = { page_view: true, product_view: true, add_to_cart: true, remove_from_cart: true, checkout_start: true };

/**
 * Freshness through the real stack, as `npm start` runs it: a small generated lakehouse, the
 * semantic server (buildStack + createServer, pre-aggregations with their refresh worker) on a
 * socket, and the local streaming path (in-process kinesalite, consumer, micro-batches). Two REST
 * pollers measure producer timestamp → first /load answer that includes the event:
 *  - lambda: campanhas_tempo_real by minute through `metricas_tempo_real` (never cached). Its
 *    answer has no event ids, so an event counts as included once its minute's count reaches the
 *    event's rank among the counted (non-purchase) events of that minute in acknowledgement order.
 *  - eventos: the ids of gold.fato_eventos since the oldest event not yet seen (`renewQuery`, as
 *    a source query is otherwise cached up to the cube's 10-second refresh key): exact per event.
 */
async function measureFreshness(): Promise<void> {
  const { ensureLocalLakehouse } = await import('../server/src/lakehouse/build-lakehouse.ts');
  const { loadConfig } = await import('../server/src/config/load-config.ts');
  const { buildStack } = await import('../server/src/main.ts');
  const { createServer } = await import('../server/src/server.ts');
  const { createLogger } = await import('../server/src/observability/create-logger.ts');
  const { readPreAggregationSettings } = await import('../server/src/preagg/preagg-settings.ts');
  const { startLocalStreaming } = await import('../server/src/lakehouse/stream/start-local-streaming.ts');
  const { loadEventCatalog } = await import('../server/src/lakehouse/stream/event-catalog.ts');
  const { openLakehouse } = await import('../server/src/lakehouse/open-lakehouse.ts');

  const lakeDir = path.join(dir, 'lake');
  const built = performance.now();
  const report = await ensureLocalLakehouse({ paths: { dir: lakeDir }, scale: lakeScale, seed: 7 });
  console.log(`freshness stack: lakehouse at scale ${lakeScale} built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
  const config = await loadConfig({
    cwd: dir,
    env: { CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', LAKEHOUSE_DIR: lakeDir, CUBEJS_SCHEMA_PATH: path.join(REPO, 'model') },
  });
  const logger = createLogger({ level: 'silent' });
  const stack = await buildStack(config, logger, readPreAggregationSettings({}, config));
  const server = createServer({ config: { ...config, playground: false }, engine: stack.engine, driver: stack.driver, logger });
  const { url } = await server.listen(0, '127.0.0.1');

  const consumerTimings = new Timings();
  const batchTimings = new Timings();
  const restTimings = new Timings();
  const streaming = await startLocalStreaming({
    duckdbPath: report.paths.duckdbPath,
    archiveRoot: path.join(dir, 'fresh-archive'),
    ratePerSecond: 0,
    logger: { info: () => undefined, error: (o, m) => console.error(m, o) },
    onConsumerTiming: (stage, ms) => consumerTimings.add(stage, ms),
    onMicroBatchTiming: (step, ms) => batchTimings.add(step, ms),
  });
  const catalogConnection = await openLakehouse(report.paths.duckdbPath);
  const generator = new EventGenerator({ catalog: await loadEventCatalog(catalogConnection), seed: 1 });
  catalogConnection.closeSync();
  // Warm-up, as on a running server: some events through the pipeline, then the batch rollup
  // built (the refresh worker rebuilds it on its timer during the run).
  const lambda = new BucketTracker(); // campanhas_tempo_real, by event-time minute
  const events = new BucketTracker(); // eventos.eventos, by event-time second
  const warmup = produceAtRate({
    producer: streaming.producer, generator, ratePerSecond: rate, tickMs: 20,
    onSent: (sent) => {
      for (const e of sent) {
        events.expect(e.event_time.slice(0, 19));
        if (COUNTED_TYPE[e.event_type]) lambda.expect(e.event_time.slice(0, 16));
      }
    },
  });
  await sleep(3_000);
  await warmup.stop();
  await sleep(1_000);
  await streaming.runner.idle();
  const [status] = (await stack.preAggregations?.refresher.refresh(stack.engine.currentModel(), { only: [`${REAL_TIME_CUBE}.metricas_por_minuto`] })) ?? [];
  console.log(`  rollup ${status?.id}: ${status?.state}, ${status?.partitions} partitions, ${status?.rowCount} rows${status?.lastError ? `, ${status.lastError}` : ''}`);

  const ackLatencies: number[] = [];
  const startMinute = new Date(Date.now()).toISOString().slice(0, 16);
  const producing = produceAtRate({
    producer: streaming.producer, generator, ratePerSecond: rate, tickMs: 20,
    onSent: (sent, ackedAt) => {
      for (const e of sent) {
        const at = Date.parse(e.event_time);
        ackLatencies.push(ackedAt - at);
        events.expect(e.event_time.slice(0, 19), at);
        if (COUNTED_TYPE[e.event_type]) lambda.expect(e.event_time.slice(0, 16), at);
      }
    },
  });

  const post = async (query: unknown, label: string): Promise<{ body: any; at: number }> => {
    const started = performance.now();
    const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as any;
    const at = Date.now();
    restTimings.add(label, performance.now() - started);
    if (res.status !== 200 || body.error) throw new Error(`load ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return { body, at };
  };
  const usedPreAggregations = new Set<string>();
  const until = Date.now() + seconds * 1000;
  const lambdaPoller = (async () => {
    while (Date.now() < until) {
      const query = {
        measures: EVENT_COUNTS.map((m) => `${REAL_TIME_CUBE}.${m}`),
        timeDimensions: [{ dimension: `${REAL_TIME_CUBE}.minuto`, granularity: 'minute', dateRange: [`${startMinute}:00`, '2100-01-01'] }],
      };
      const { body, at } = await post(query, 'lambda (campanhas_tempo_real)');
      for (const name of Object.keys(body.usedPreAggregations ?? {})) usedPreAggregations.add(name);
      for (const row of body.data as Record<string, unknown>[]) {
        const total = EVENT_COUNTS.reduce((sum, m) => sum + Number(row[`${REAL_TIME_CUBE}.${m}`] ?? 0), 0);
        lambda.observe(String(row[`${REAL_TIME_CUBE}.minuto.minute`]).slice(0, 16), total, at);
      }
      await sleep(pollMs);
    }
  })();
  const eventsPoller = (async () => {
    while (Date.now() < until) {
      const from = events.oldestOpen();
      if (from) {
        const query = {
          measures: ['eventos.eventos'],
          timeDimensions: [{ dimension: 'eventos.data_evento', granularity: 'second', dateRange: [from, '2100-01-01'] }],
          renewQuery: true,
        };
        const { body, at } = await post(query, 'eventos count by second');
        for (const row of body.data as Record<string, unknown>[]) {
          events.observe(String(row['eventos.data_evento.second']).slice(0, 19), Number(row['eventos.eventos']), at);
        }
      }
      await sleep(pollMs);
    }
  })();
  try {
    await Promise.all([lambdaPoller, eventsPoller]);
  } finally {
    await producing.stop();
    await streaming.stop();
    await server.close();
    await stack.close();
  }
  const loadAverage = os.loadavg()[0]!;

  console.log(`freshness: producer timestamp → first REST /load answer including the event; ${seconds} s at ${rate} ev/s, REST polled every ${pollMs} ms, load average ${loadAverage.toFixed(1)} (${os.cpus().length} cores)`);
  for (const [name, tracker] of [
    [`lambda ${REAL_TIME_CUBE} by minute (${[...usedPreAggregations].join(', ') || 'no pre-aggregation!'})`, lambda],
    ['eventos count by second (gold.fato_eventos, renewQuery)', events],
  ] as const) {
    const sorted = [...tracker.latencies].sort((x, y) => x - y);
    const off = tracker.mismatches();
    console.log(`  ${name}: ${sorted.length} events (${tracker.unseen()} produced at the very end not yet seen)${off.length ? `; last counts ≠ produced in ${off.length} buckets, e.g. ${off.slice(0, 3).join(', ')}` : ''}`);
    console.log(`    p50 ${quantile(sorted, 0.5)} ms   p95 ${quantile(sorted, 0.95)} ms   p99 ${quantile(sorted, 0.99)} ms   max ${sorted.at(-1)} ms   (targets p50 ≤ 300, p95 ≤ 1000)`);
  }
  const acks = [...ackLatencies].sort((a, b) => a - b);
  console.log(`  producer timestamp → PutRecords acknowledged: p50 ${quantile(acks, 0.5)} ms, p95 ${quantile(acks, 0.95)} ms`);
  consumerTimings.print('consumer stages per batch (read = wait for GetRecords, idle rounds included):');
  batchTimings.print('micro-batch steps (lock = wait for the write lock; total = request → commit):');
  restTimings.print('REST /load round trips:');
}

async function startKinesaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const code = `const s=require('kinesalite')({createStreamMs:10,updateStreamMs:10}).listen(0,'127.0.0.1',()=>console.log('PORT '+s.address().port))`;
  const child = spawn(process.execPath, ['-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /PORT (\d+)/.exec(chunk.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error('kinesalite child exited')));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

async function preload(client: KinesisClient, count: number): Promise<void> {
  const producer = new EventProducer({ client, streamName: 'ingest', recordAcknowledged: false });
  const generator = new EventGenerator({ seed: 2 });
  const started = performance.now();
  for (let sent = 0; sent < count; ) {
    const calls = Array.from({ length: 4 }, () => producer.send(generator.take(Math.min(500, count - sent))));
    sent += 4 * 500;
    const results = await Promise.all(calls);
    if (results.some((r) => r.failed.length > 0)) throw new Error('preload: records failed');
  }
  console.log(`  backlog: ${count} events put in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The ceiling: a bare GetRecords loop over every shard, doing nothing with the records. */
async function bareGetRecords(client: KinesisClient): Promise<number> {
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: 'ingest' }));
  const started = performance.now();
  const counts = await Promise.all(
    (Shards ?? []).map(async (shard) => {
      let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'ingest', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      let n = 0;
      for (;;) {
        const r = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
        n += r.Records?.length ?? 0;
        if (!r.Records?.length) return n;
        ShardIterator = r.NextShardIterator;
      }
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

async function consumerIngest(client: KinesisClient, round: number, timings?: Timings): Promise<{ rate: number; peakRss: number; peakHeap: number; baseRss: number }> {
  const db = await openDb(`ingest-${round}.duckdb`);
  const consumer = new EventConsumer({
    client, streamName: 'ingest', connection: db.a, archiveRoot: path.join(dir, `lake-${round}`), idlePollMs: 5,
    onTiming: timings ? (stage, ms) => timings.add(stage, ms) : undefined,
  });
  await consumer.init();
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = performance.now();
  while (consumer.stats.records < backlog) await consumer.pollOnce();
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const [[stored]] = (await db.b.runAndReadAll('SELECT count(*) FROM bronze.events')).getRows() as [[bigint]];
  if (Number(stored) !== backlog) throw new Error(`bronze has ${stored} rows, expected ${backlog}`);
  db.instance.closeSync();
  return { rate: backlog / elapsed, peakRss, peakHeap, baseRss };
}

async function measureIngest(): Promise<void> {
  const { endpoint, child } = await startKinesaliteProcess();
  const client = createKinesisClient({ region: 'us-east-1', endpoint });
  try {
    await ensureStream(client, 'ingest', 2);
    console.log(`sustained ingest into bronze.events (2 shards, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}):`);
    await preload(client, backlog);
    const bare1 = await bareGetRecords(client);
    const ingest1 = await consumerIngest(client, 1);
    const bare2 = await bareGetRecords(client);
    const stages = new Timings();
    const ingest2 = await consumerIngest(client, 2, stages);
    const bare = (bare1 + bare2) / 2;
    const ingest = (ingest1.rate + ingest2.rate) / 2;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    console.log(`  bare GetRecords loop: ${bare1.toFixed(0)} / ${bare2.toFixed(0)} events/s`);
    console.log(`  consumer into bronze: ${ingest1.rate.toFixed(0)} / ${ingest2.rate.toFixed(0)} events/s`);
    console.log(`  ratio consumer ÷ bare: ${(ingest / bare).toFixed(2)}×   (target ≥ 0.8×; absolute target ≥ 20000 events/s)`);
    stages.print('consumer stages per batch, second run (archive = what remains after the bronze commit):');
    console.log(`  consumer peak memory: RSS ${mb(Math.max(ingest1.peakRss, ingest2.peakRss))} (start ${mb(ingest1.baseRss)}), heap ${mb(Math.max(ingest1.peakHeap, ingest2.peakHeap))}`);
  } finally {
    client.destroy();
    child.kill();
  }
}

// Runs last: the classes and constants above are initialized by then.
const dir = await mkdtemp(path.join(os.tmpdir(), 'stream-bench-'));
try {
  if (only !== 'ingest') await measureFreshness();
  if (only !== 'freshness') await measureIngest();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 }).catch((error) => console.error(`could not remove ${dir}: ${error}`));
}
