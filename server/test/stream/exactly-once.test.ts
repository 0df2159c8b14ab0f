import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';

class SimulatedCrash extends Error {}

async function bronzeIds(h: StreamHarness): Promise<{ ids: Set<string>; rows: number }> {
  const rows = await h.query<{ event_id: string }>('SELECT event_id FROM bronze.events');
  return { ids: new Set(rows.map((r) => r.event_id)), rows: rows.length };
}

describe('stream consumer exactly-once into bronze.events', () => {
  let h: StreamHarness;
  beforeEach(async () => {
    h = await createStreamHarness(2);
  });
  afterEach(async () => {
    await h.close();
  });

  for (const point of ['beforeBronzeCommit', 'afterBronzeCommit'] as const) {
    it(`loses and duplicates nothing when the consumer dies ${point === 'beforeBronzeCommit' ? 'before the bronze commit' : 'after the bronze commit, before the checkpoint'}`, async () => {
      const generator = new EventGenerator({ seed: 7 });
      await h.producer.send(generator.take(2_500));
      let batches = 0;
      const doomed = await h.consumer({
        recordsPerCall: 300,
        hooks: {
          [point]: () => {
            if (++batches === 4) throw new SimulatedCrash(`killed at ${point}`);
          },
        },
      });
      await expect(doomed.drain()).rejects.toBeInstanceOf(SimulatedCrash);
      const beforeRestart = await bronzeIds(h);

      // The process is gone: reopen the lakehouse file; more events arrive meanwhile.
      await h.reopen();
      await h.producer.send(generator.take(1_500));
      const restarted = await h.consumer({ recordsPerCall: 300 });
      await restarted.drain();

      const after = await bronzeIds(h);
      expect(after.rows).toBe(after.ids.size);
      expect(after.ids).toEqual(h.producer.acknowledged);
      expect(h.producer.acknowledged.size).toBe(4_000);
      if (point === 'afterBronzeCommit') {
        // The batch committed just before the crash was read again and recognised as stored.
        expect(restarted.stats.duplicates).toBeGreaterThan(0);
        expect(beforeRestart.rows).toBe(4 * 300);
      } else {
        expect(beforeRestart.rows).toBe(3 * 300);
      }
    });
  }

  it('stores an event sent twice only once, whether the copies share a batch or not', async () => {
    const events = new EventGenerator({ seed: 3 }).take(400);
    await h.producer.send([...events, ...events.slice(0, 50)]);
    const consumer = await h.consumer();
    await consumer.drain();
    await h.producer.send(events.slice(100, 200));
    await consumer.drain();

    const { ids, rows } = await bronzeIds(h);
    expect(rows).toBe(400);
    expect(ids).toEqual(new Set(events.map((e) => e.event_id)));
    expect(consumer.stats.duplicates).toBe(150);
    const [first] = await h.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM bronze.events WHERE _source LIKE 'shardId-%' AND _batch_id IS NOT NULL
         AND _sequence_number IS NOT NULL AND _arrival_time IS NOT NULL AND _ingested_at >= _arrival_time`,
    );
    expect(Number(first!.n)).toBe(400);
  });

  it('resumes from the checkpoint instead of re-reading the stream after a clean restart', async () => {
    await h.producer.send(new EventGenerator({ seed: 5 }).take(600));
    const first = await h.consumer();
    await first.drain();
    await h.reopen();
    const second = await h.consumer();
    await second.drain();
    expect(first.stats.records).toBe(600);
    expect(second.stats.records).toBe(0);
  });
});
