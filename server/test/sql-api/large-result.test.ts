/**
 * A 50,000-row model result through node-postgres, in text (simple protocol) and binary
 * (extended protocol) formats, equals the same query through REST row by row: NULLs, non-ASCII
 * strings, decimals, doubles, timestamps with fractions, booleans; real engine and REST server.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../support/stack.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { buildBind, buildDescribe, buildExecute, buildParse, buildSync, readDataRow, readErrorFields, readRowDescription } from '../../src/api/sql/wire/frontend-builders.ts';
import { RawPgClient } from './support/raw-pg-client.ts';

const ROWS = 50_000;

const MODEL = `cubes:
  - name: items
    sql_table: main.items
    measures:
      - name: count
        type: count
      - name: total
        sql: price
        type: sum
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: label
        sql: label
        type: string
      - name: price
        sql: price
        type: number
      - name: ratio
        sql: ratio
        type: number
      - name: created_at
        sql: created_at
        type: time
      - name: flag
        sql: flag
        type: boolean
`;

let close: () => Promise<void>;
let restUrl: string;
let sqlPort: number;

beforeAll(async () => {
  const stack = await startStack({
    data: { sql: `CREATE TABLE main.items AS SELECT i + 1 AS id,
    CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN 'ação ' || i ELSE 'item-' || (i % 97) END AS label,
    CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 37) % 100000 / 100.0 - 300)::DECIMAL(12, 2) END AS price,
    CASE WHEN i % 9 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS ratio,
    CASE WHEN i % 13 = 0 THEN NULL ELSE TIMESTAMP '1999-12-30 22:00:00' + to_milliseconds(i * 3600123) END AS created_at,
    CASE WHEN i % 17 = 0 THEN NULL ELSE i % 2 = 0 END AS flag
    FROM range(${ROWS}) t(i)` },
    model: { files: { 'cubes/items.yml': MODEL } },
    env: { CUBEJS_PLAYGROUND: 'false' },
    serve: { http: true, sql: { users: { u: { password: 'pw', securityContext: {} } } } },
  });
  restUrl = stack.url;
  sqlPort = stack.sqlPort;
  close = () => stack.close();
}, 120_000);
afterAll(async () => close?.());

async function restRows(query: CubeQuery): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${restUrl}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: Record<string, unknown>[]; error?: string };
  if (!body.data) throw new Error(`REST: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

/** A node-postgres client that hands back every value as the text sent. */
async function textClient<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port: sqlPort, user: 'u', password: 'pw', database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

/**
 * Rows of `sql` in binary format through the extended protocol (node-postgres reads every value
 * as UTF-8 text, so a protocol-level client): Parse, Bind with binary results, Describe, then
 * Execute `batch` rows at a time until the portal is done, all before one Sync.
 */
async function binaryRows(sql: string, batches: number[]): Promise<{ fields: { name: string; typeOid: number; format: number }[]; rows: (Buffer | null)[][]; suspended: number }> {
  const c = await RawPgClient.connect(sqlPort, 'u', 'pw');
  try {
    c.send(buildParse('', sql), buildBind('', '', [], [], [1]), buildDescribe('P', ''), ...batches.map((n) => buildExecute('', n)), buildSync());
    const frames = await c.readUntilReady();
    const error = frames.find((f) => f.type === 'E');
    if (error) throw new Error(JSON.stringify(readErrorFields(error.body)));
    const fields = readRowDescription(frames.find((f) => f.type === 'T')!.body);
    return { fields, rows: frames.filter((f) => f.type === 'D').map((f) => readDataRow(f.body)), suspended: frames.filter((f) => f.type === 's').length };
  } finally {
    c.close();
  }
}

function pgTimestamp(iso: string): string {
  const [date, time = ''] = iso.split('T');
  const [hms, fraction = ''] = time.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${date} ${hms}${trimmed ? `.${trimmed}` : ''}`;
}
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

const SQL = 'select id, label, price, ratio, created_at, flag from items order by id limit 50000';
const QUERY: CubeQuery = {
  dimensions: ['items.id', 'items.label', 'items.price', 'items.ratio', 'items.created_at', 'items.flag'],
  ungrouped: true,
  order: [['items.id', 'asc']],
  limit: 50000,
};

describe('a 50,000-row result through node-postgres equals REST', () => {
  it('in text format (simple protocol)', async () => {
    const [rest, wire] = await Promise.all([restRows(QUERY), textClient((c) => c.query<Record<string, string | null>>(SQL))]);
    expect(wire.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 701],
      ['label', 25],
      ['price', 701],
      ['ratio', 701],
      ['created_at', 1114],
      ['flag', 16],
    ]);
    expect(rest).toHaveLength(ROWS);
    expect(wire.rows).toHaveLength(ROWS);
    const text = (v: unknown, kind: string): string | null => {
      if (v === null) return null;
      if (kind === 'float') return String(Number(v));
      if (kind === 'time') return pgTimestamp(String(v));
      if (kind === 'bool') return v ? 't' : 'f';
      return String(v);
    };
    for (let i = 0; i < ROWS; i++) {
      const r = rest[i]!;
      const expected = {
        id: text(r['items.id'], 'float'),
        label: text(r['items.label'], 'text'),
        price: text(r['items.price'], 'float'),
        ratio: text(r['items.ratio'], 'float'),
        created_at: text(r['items.created_at'], 'time'),
        flag: text(r['items.flag'], 'bool'),
      };
      if (JSON.stringify(wire.rows[i]) !== JSON.stringify(expected)) expect({ row: i, ...wire.rows[i] }).toEqual({ row: i, ...expected });
    }
    // The shapes the encoder has fast paths for all occur.
    expect(rest.some((r) => r['items.label'] === null) && rest.some((r) => String(r['items.label']).startsWith('ação'))).toBe(true);
    expect(wire.rows.some((r) => /\.\d{1,2}$/.test(r.created_at ?? '')) && wire.rows.some((r) => /:\d\d$/.test(r.created_at ?? ''))).toBe(true);
  }, 120_000);

  it('in binary format (extended protocol, in portal batches)', async () => {
    const [rest, wire] = await Promise.all([restRows(QUERY), binaryRows(SQL, [20_000, 20_000, 0])]);
    expect(wire.fields.map((f) => [f.name, f.typeOid, f.format])).toEqual([
      ['id', 701, 1],
      ['label', 25, 1],
      ['price', 701, 1],
      ['ratio', 701, 1],
      ['created_at', 1114, 1],
      ['flag', 16, 1],
    ]);
    expect(wire.suspended).toBe(2);
    expect(wire.rows).toHaveLength(ROWS);
    const num = (v: unknown) => (v === null ? null : Number(v));
    for (let i = 0; i < ROWS; i++) {
      const [id, label, price, ratio, createdAt, flag] = wire.rows[i]!;
      const got = {
        id: id && id.readDoubleBE(0),
        label: label && label.toString('utf8'),
        price: price && price.readDoubleBE(0),
        ratio: ratio && ratio.readDoubleBE(0),
        created_at: createdAt && new Date(Number(createdAt.readBigInt64BE(0) / 1000n) + PG_EPOCH_MS).toISOString().slice(0, 23),
        flag: flag && flag[0] === 1,
      };
      const r = rest[i]!;
      const expected = { id: num(r['items.id']), label: r['items.label'], price: num(r['items.price']), ratio: num(r['items.ratio']), created_at: r['items.created_at'], flag: r['items.flag'] };
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ row: i, ...got }).toEqual({ row: i, ...expected });
    }
  }, 120_000);

  it('with measures sent as decimal strings by the engine, text and binary', async () => {
    const sql = 'select label, measure(count) as n, measure(total) as t from items group by 1 order by 1';
    const rest = await restRows({ measures: ['items.count', 'items.total'], dimensions: ['items.label'], order: [['items.label', 'asc']] });
    const text = await textClient((c) => c.query<Record<string, string | null>>(sql));
    const binary = await binaryRows(sql, [0]);
    expect(text.rows.length).toBe(rest.length);
    expect(text.rows).toEqual(rest.map((r) => ({ label: r['items.label'], n: String(r['items.count']), t: r['items.total'] === null ? null : String(Number(r['items.total'])) })));
    expect(binary.rows.map(([label, n, t]) => ({ label: label && label.toString(), n: n!.readBigInt64BE(0).toString(), t: t && t.readDoubleBE(0) }))).toEqual(
      rest.map((r) => ({ label: r['items.label'], n: String(r['items.count']), t: r['items.total'] === null ? null : Number(r['items.total']) })),
    );
  }, 120_000);
});
