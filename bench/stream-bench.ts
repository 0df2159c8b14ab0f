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

const dir = await mkdtemp(path.join(os.tmpdir(), 'stream-bench-'));
try {
  if (only !== 'ingest') await measureFreshness();
  if (only !== 'freshness') await measureIngest();
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function openDb(name: string): Promise<{ instance: DuckDBInstance; a: DuckDBConnection; b: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(path.join(dir, name));
  return { instance, a: await instance.connect(), b: await instance.connect() };
}

async function measureFreshness(): Promise<void> {
  const kinesis = await startKinesalite();
  const client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
  await ensureStream(client, 'fresh', 2);
  const db = await openDb('fresh.duckdb');
  const lock = new WriteLock();
  const runner = new MicroBatchRunner({ connection: db.b, writeLock: lock });
  const consumer = new EventConsumer({
    client, streamName: 'fresh', connection: db.a, writeLock: lock, archiveRoot: path.join(dir, 'fresh-lake'),
    idlePollMs: 20, onBatchCommitted: () => runner.request((e) => console.error(e)),
  });
  await consumer.init();
  const abort = new AbortController();
  const consuming = consumer.run(abort.signal);
  const producer = new EventProducer({ client, streamName: 'fresh', recordAcknowledged: false });
  const pending = new Map<string, number>();
  const producing = produceAtRate({
    producer, generator: new EventGenerator({ seed: 1 }), ratePerSecond: rate, tickMs: 20,
    onSent: (events) => events.forEach((e) => pending.set(e.event_id, Date.parse(e.event_time))),
  });
  const reader = await db.instance.connect();
  const latencies: number[] = [];
  let lastRowId = -1n;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    // Until the first micro-batch the gold table does not exist yet: nothing is visible then.
    const rows = await reader
      .runAndReadAll(`SELECT rowid, evento_id FROM gold.fato_eventos WHERE rowid > ${lastRowId}`)
      .then((r) => r.getRows(), () => []);
    const seenAt = Date.now();
    for (const [rowid, id] of rows) {
      lastRowId = (rowid as bigint) > lastRowId ? (rowid as bigint) : lastRowId;
      const producedAt = pending.get(id as string);
      if (producedAt !== undefined) latencies.push(seenAt - producedAt);
      pending.delete(id as string);
    }
    await sleep(10);
  }
  await producing.stop();
  abort.abort();
  await consuming;
  await runner.idle();
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  console.log(`freshness (producer timestamp → visible in gold.fato_eventos via DuckDB), ${seconds}s at ${rate} ev/s, ${latencies.length} events, load average ${os.loadavg()[0]!.toFixed(1)}:`);
  console.log(`  p50 ${q(0.5)} ms   p95 ${q(0.95)} ms   p99 ${q(0.99)} ms   max ${latencies.at(-1)} ms   (targets p50 ≤ 300, p95 ≤ 1000)`);
  reader.closeSync();
  db.instance.closeSync();
  client.destroy();
  await kinesis.stop();
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

async function consumerIngest(client: KinesisClient, round: number): Promise<{ rate: number; peakRss: number; peakHeap: number; baseRss: number }> {
  const db = await openDb(`ingest-${round}.duckdb`);
  const consumer = new EventConsumer({ client, streamName: 'ingest', connection: db.a, archiveRoot: path.join(dir, `lake-${round}`), idlePollMs: 5 });
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
    const ingest2 = await consumerIngest(client, 2);
    const bare = (bare1 + bare2) / 2;
    const ingest = (ingest1.rate + ingest2.rate) / 2;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    console.log(`  bare GetRecords loop: ${bare1.toFixed(0)} / ${bare2.toFixed(0)} events/s`);
    console.log(`  consumer into bronze: ${ingest1.rate.toFixed(0)} / ${ingest2.rate.toFixed(0)} events/s`);
    console.log(`  ratio consumer ÷ bare: ${(ingest / bare).toFixed(2)}×   (target ≥ 0.8×; absolute target ≥ 20000 events/s)`);
    console.log(`  consumer peak memory: RSS ${mb(Math.max(ingest1.peakRss, ingest2.peakRss))} (start ${mb(ingest1.baseRss)}), heap ${mb(Math.max(ingest1.peakHeap, ingest2.peakHeap))}`);
  } finally {
    client.destroy();
    child.kill();
  }
}
