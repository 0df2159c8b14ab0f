import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function raw(id: string, text: string) {
  return { id, data: Buffer.from(text), partitionKey: id };
}

describe('malformed events and the raw archive', () => {
  let h: StreamHarness;
  beforeEach(async () => {
    h = await createStreamHarness(2);
  });
  afterEach(async () => {
    await h.close();
  });

  it('quarantines malformed events with the reason and keeps the valid ones', async () => {
    const [valid] = new EventGenerator({ seed: 1 }).take(1);
    const good = { ...valid!, event_type: 'add_to_cart', product_id: 'P00001', price: 10, quantity: 1 };
    const bad = [
      raw('bad-json', '{"event_id": "x1", '),
      raw('not-object', '[1,2,3]'),
      raw('missing-time', JSON.stringify({ ...good, event_id: 'x2', event_time: undefined })),
      raw('price-string', JSON.stringify({ ...good, event_id: 'x3', price: '10.00' })),
      raw('bad-type', JSON.stringify({ ...good, event_id: 'x4', event_type: 'wishlist' })),
      raw('no-zone', JSON.stringify({ ...good, event_id: 'x5', event_time: '2024-05-01 10:00:00' })),
      raw('no-order', JSON.stringify({ ...good, event_id: 'x6', event_type: 'purchase' })),
    ];
    await h.producer.sendRecords([...bad, raw('good', JSON.stringify(good))]);
    const consumer = await h.consumer();
    await consumer.drain();
    // A replay of the same records must not quarantine them twice.
    await h.connection.run('DELETE FROM bronze._stream_checkpoints');
    await (await h.consumer()).drain();

    const rows = await h.query<{ raw: string; reason: string; _source: string }>(
      'SELECT raw, reason, _source FROM bronze.events_quarantine ORDER BY reason',
    );
    const reasonOf = (fragment: string) => rows.find((r) => r.raw.includes(fragment))?.reason;
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r.raw.startsWith('{"event_id": "x1"'))?.reason).toMatch(/^invalid JSON/);
    expect(rows.find((r) => r.raw === '[1,2,3]')?.reason).toBe('expected a JSON object, got an array');
    expect(reasonOf('"x2"')).toBe('missing field event_time');
    expect(reasonOf('"x3"')).toMatch(/^bad type for price: expected a number/);
    expect(reasonOf('"x4"')).toMatch(/^unknown event_type "wishlist"/);
    expect(reasonOf('"x5"')).toMatch(/^bad event_time .*time zone/);
    expect(reasonOf('"x6"')).toBe('missing field order_id (required for purchase)');
    expect(rows.every((r) => r._source.startsWith('shardId-'))).toBe(true);
    const events = await h.query<{ event_id: string }>('SELECT event_id FROM bronze.events');
    expect(events.map((e) => e.event_id)).toEqual([good.event_id]);

    const errorFiles = await listFiles(join(h.archiveRoot, 'bronze/events_errors'));
    const errorLines = errorFiles.flatMap((f) => gunzipSync(readFileSync(f)).toString().trim().split('\n'));
    expect(new Set(errorLines.map((l) => Buffer.from(JSON.parse(l).rawData, 'base64').toString()))).toEqual(new Set(bad.map((b) => b.data.toString())));
  });

  it('archives every event in the Firehose layout, partitioned by arrival hour', async () => {
    await h.producer.send(new EventGenerator({ seed: 9 }).take(1_200));
    const consumer = await h.consumer({ recordsPerCall: 250 });
    await consumer.drain();

    const root = join(h.archiveRoot, 'bronze/events');
    const files = (await listFiles(root)).map((f) => relative(root, f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const layout = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/events-test-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/;
    const archived = new Map<string, string>();
    for (const file of files) {
      const m = layout.exec(file);
      expect(m, file).not.toBeNull();
      expect(m!.slice(1, 5)).toEqual(m!.slice(5, 9)); // the prefix hour is the file's timestamp hour
      const lines = gunzipSync(await readFile(join(root, file))).toString().trim().split('\n');
      for (const line of lines) archived.set(JSON.parse(line).event_id, m!.slice(1, 5).join('/'));
    }
    expect(new Set(archived.keys())).toEqual(h.producer.acknowledged);
    const arrivals = await h.query<{ event_id: string; hour: string }>(
      `SELECT event_id, strftime(_arrival_time, '%Y/%m/%d/%H') AS hour FROM bronze.events`,
    );
    for (const row of arrivals) expect(archived.get(row.event_id)).toBe(row.hour);
  });
});
