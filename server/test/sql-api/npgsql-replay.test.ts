/**
 * Replays what Npgsql 4.0.17 (the driver inside Power BI's PostgreSQL connector) sends, message
 * by message, and checks every answer: the type-loading batch it runs at open (statements as in
 * src/Npgsql/PostgresDatabaseInfo.cs at v4.0.17), binary results for user queries, named
 * prepared statements, row-limited Execute, DISCARD ALL on pooled reuse, BEGIN/COMMIT,
 * SELECT NULL, DEALLOCATE ALL, and skipping to Sync after an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBind, buildDescribe, buildExecute, buildParse, buildSync, buildClose, readDataRow, readErrorFields, readRowDescription, type BackendFrame } from '../../src/api/sql/wire/frontend-builders.ts';
import { OID } from '../../src/api/sql/wire/pg-types.ts';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';
import { RawPgClient } from './support/raw-pg-client.ts';

const NL = '\r\n';
const LOAD_TYPES = [
  '/*** Load all supported types ***/',
  'SELECT ns.nspname, a.typname, a.oid, a.typrelid, a.typbasetype,',
  "CASE WHEN pg_proc.proname='array_recv' THEN 'a' ELSE a.typtype END AS type,",
  'CASE',
  "  WHEN pg_proc.proname='array_recv' THEN a.typelem",
  "  WHEN a.typtype='r' THEN rngsubtype",
  '  ELSE 0',
  'END AS elemoid,',
  'CASE',
  "  WHEN pg_proc.proname IN ('array_recv','oidvectorrecv') THEN 3    /* Arrays last */",
  "  WHEN a.typtype='r' THEN 2                                        /* Ranges before */",
  "  WHEN a.typtype='d' THEN 1                                        /* Domains before */",
  '  ELSE 0                                                           /* Base types first */',
  'END AS ord',
  'FROM pg_type AS a',
  'JOIN pg_namespace AS ns ON (ns.oid = a.typnamespace)',
  'JOIN pg_proc ON pg_proc.oid = a.typreceive',
  'LEFT OUTER JOIN pg_class AS cls ON (cls.oid = a.typrelid)',
  'LEFT OUTER JOIN pg_type AS b ON (b.oid = a.typelem)',
  'LEFT OUTER JOIN pg_class AS elemcls ON (elemcls.oid = b.typrelid)',
  'LEFT OUTER JOIN pg_range ON (pg_range.rngtypid = a.oid) ',
  'WHERE',
  "  a.typtype IN ('b', 'r', 'e', 'd') OR         /* Base, range, enum, domain */",
  "  (a.typtype = 'c' AND cls.relkind='c') OR /* User-defined free-standing composites (not table composites) by default */",
  "  (pg_proc.proname='array_recv' AND (",
  "    b.typtype IN ('b', 'r', 'e', 'd') OR       /* Array of base, range, enum, domain */",
  "    (b.typtype = 'p' AND b.typname IN ('record', 'void')) OR /* Arrays of special supported pseudo-types */",
  "    (b.typtype = 'c' AND elemcls.relkind='c')  /* Array of user-defined free-standing composites (not table composites) */",
  '  )) OR',
  "  (a.typtype = 'p' AND a.typname IN ('record', 'void'))  /* Some special supported pseudo-types */",
  'ORDER BY ord',
].join(NL);
const LOAD_COMPOSITES = [
  '/*** Load field definitions for (free-standing) composite types ***/',
  'SELECT typ.oid, att.attname, att.atttypid',
  'FROM pg_type AS typ',
  'JOIN pg_namespace AS ns ON (ns.oid = typ.typnamespace)',
  'JOIN pg_class AS cls ON (cls.oid = typ.typrelid)',
  'JOIN pg_attribute AS att ON (att.attrelid = typ.typrelid)',
  'WHERE',
  "  (typ.typtype = 'c' AND cls.relkind='c') AND",
  "  attnum > 0 AND     /* Don't load system attributes */",
  '  NOT attisdropped',
  'ORDER BY typ.oid, att.attnum',
].join(NL);
const LOAD_ENUMS = ['/*** Load enum fields ***/', 'SELECT pg_type.oid, enumlabel', 'FROM pg_enum', 'JOIN pg_type ON pg_type.oid=enumtypid', 'ORDER BY oid, enumsortorder'].join(NL);

let f: OrdersStack;
let c: RawPgClient;
beforeAll(async () => {
  f = await startOrdersStack();
  c = await RawPgClient.connect(f.server.port, 'admin', 'admin_password');
}, 120_000);
afterAll(async () => {
  c?.close();
  await f?.close();
});

/** One extended-protocol statement the way Npgsql writes it: Parse, Bind, Describe portal, Execute. */
function statement(sql: string, resultFormats: number[] = [], name = '', params: (Buffer | null)[] = [], paramTypes: number[] = []): Buffer[] {
  return [buildParse(name, sql, paramTypes), buildBind('', name, params, params.map(() => 1), resultFormats), buildDescribe('P', ''), buildExecute('', 0)];
}

const types = (frames: BackendFrame[]) => frames.map((x) => x.type).join('');
const tagOf = (frame: BackendFrame) => frame.body.toString('utf8', 0, frame.body.length - 1);

describe('Npgsql 4.0.17 replay (Power BI)', () => {
  it('answers the type-loading batch in order with text results', async () => {
    c.send(...statement('SELECT version()'), ...statement(LOAD_TYPES), ...statement(LOAD_COMPOSITES), ...statement(LOAD_ENUMS), buildSync());
    const frames = await c.readUntilReady();
    const kinds = types(frames);
    // version: 1 2 T D C, types: 1 2 T D+ C, composites: 1 2 T C, enums: 1 2 T C, then Z
    expect(kinds).toMatch(/^12TDC12TD+C12TC12TCZ$/);
    const typesDesc = readRowDescription(frames.filter((x) => x.type === 'T')[1]!.body);
    expect(typesDesc.map((x) => [x.name, x.typeOid])).toEqual([
      ['nspname', OID.name],
      ['typname', OID.name],
      ['oid', OID.oid],
      ['typrelid', OID.oid],
      ['typbasetype', OID.oid],
      ['type', 18],
      ['elemoid', OID.oid],
      ['ord', OID.int4],
    ]);
    const rows = frames.filter((x) => x.type === 'D').slice(1).map((x) => readDataRow(x.body).map((v) => v?.toString()));
    const byName = new Map(rows.map((r) => [r[1], r]));
    expect(byName.get('int8')?.slice(0, 3)).toEqual(['pg_catalog', 'int8', '20']);
    expect(byName.get('float8')?.[2]).toBe('701');
    expect(byName.get('_int4')?.[5]).toBe('a');
    expect(frames.at(-1)!.body.toString()).toBe('I');
  });

  it('returns binary values for a model query with the types Npgsql expects', async () => {
    const sql = `SELECT status, MEASURE(count) AS n, SUM(total_amount) AS total, DATE_TRUNC('month', created_at) AS m FROM orders WHERE status = 'paid' GROUP BY 1, 4 ORDER BY 4 LIMIT 2`;
    c.send(...statement(sql, [1]), buildSync());
    const frames = await c.readUntilReady();
    expect(types(frames)).toBe('12TDDCZ');
    const desc = readRowDescription(frames[2]!.body);
    expect(desc.map((x) => [x.name, x.typeOid, x.format])).toEqual([
      ['status', OID.text, 1],
      ['n', OID.int8, 1],
      ['total', OID.float8, 1],
      ['m', OID.timestamp, 1],
    ]);
    const first = readDataRow(frames[3]!.body);
    const expected = (await f.db.runAndReadAll(`select count(*)::bigint as n, sum(amount) as total from orders where status = 'paid' and created_at < '2024-02-01'`)).getRowObjectsJson()[0]!;
    expect(first[0]!.toString()).toBe('paid');
    expect(first[1]!.readBigInt64BE(0)).toBe(BigInt(String(expected.n)));
    expect(first[2]!.readDoubleBE(0)).toBeCloseTo(Number(expected.total), 6);
    // timestamp: microseconds since 2000-01-01
    expect(first[3]!.readBigInt64BE(0)).toBe(BigInt(Date.UTC(2024, 0, 1) - Date.UTC(2000, 0, 1)) * 1000n);
    expect(tagOf(frames[5]!)).toBe('SELECT 2');
  });

  it('prepares a named statement, describes it, and runs it with binary parameters', async () => {
    const sql = 'SELECT city, MEASURE(total_amount) AS t FROM orders WHERE status = $1 AND amount > $2 GROUP BY 1 ORDER BY 1';
    c.send(buildParse('_p1', sql, [OID.text, OID.float8]), buildDescribe('S', '_p1'), buildSync());
    const prep = await c.readUntilReady();
    expect(types(prep)).toBe('1tTZ');
    const paramOids = [prep[1]!.body.readUInt32BE(2), prep[1]!.body.readUInt32BE(6)];
    expect(paramOids).toEqual([OID.text, OID.float8]);
    const amount = Buffer.alloc(8);
    amount.writeDoubleBE(900);
    for (let run = 0; run < 3; run++) {
      c.send(buildBind('', '_p1', [Buffer.from('shipped'), amount], [1, 1], [1]), buildExecute('', 0), buildSync());
      const frames = await c.readUntilReady();
      expect(types(frames)).toMatch(/^2D+CZ$/);
      const got = frames.filter((x) => x.type === 'D').map((x) => readDataRow(x.body)).map((r) => [r[0]!.toString(), r[1]!.readDoubleBE(0)]);
      const expected = (await f.db.runAndReadAll(`select city, sum(amount) as t from orders where status = 'shipped' and amount > 900 group by 1 order by 1`)).getRows().map((r) => [String(r[0]), Number(r[1])]);
      expect(got).toEqual(expected);
    }
  });

  it('suspends a portal at the row limit and resumes it', async () => {
    c.send(buildParse('', 'SELECT amount, status FROM orders ORDER BY amount DESC LIMIT 5'), buildBind('', '', [], [], [1, 0]), buildExecute('', 2), buildExecute('', 2), buildExecute('', 0), buildSync());
    const frames = await c.readUntilReady();
    expect(types(frames)).toBe('12DDsDDsDCZ');
    const amounts = frames.filter((x) => x.type === 'D').map((x) => readDataRow(x.body)[0]!.readDoubleBE(0));
    const expected = (await f.db.runAndReadAll('select amount from orders order by amount desc limit 5')).getRows().map((r) => Number(r[0]));
    expect(amounts).toEqual(expected);
  });

  it('handles BEGIN, SELECT NULL and COMMIT with the right transaction status', async () => {
    c.send(...statement('BEGIN'), buildSync());
    let frames = await c.readUntilReady();
    expect(types(frames)).toBe('12nCZ');
    expect(tagOf(frames[3]!)).toBe('BEGIN');
    expect(frames.at(-1)!.body.toString()).toBe('T');
    c.send(...statement('SELECT NULL', [1]), buildSync());
    frames = await c.readUntilReady();
    expect(types(frames)).toBe('12TDCZ');
    expect(readDataRow(frames[3]!.body)).toEqual([null]);
    expect(frames.at(-1)!.body.toString()).toBe('T');
    c.send(...statement('COMMIT'), buildSync());
    frames = await c.readUntilReady();
    expect(tagOf(frames[3]!)).toBe('COMMIT');
    expect(frames.at(-1)!.body.toString()).toBe('I');
  });

  it('skips everything after an error until Sync, then reports the failed transaction', async () => {
    c.send(...statement('BEGIN'), buildSync());
    await c.readUntilReady();
    c.send(buildParse('', 'SELECT nope FROM orders'), buildBind('', '', [], [], []), buildExecute('', 0), ...statement('SELECT 1'), buildSync());
    const frames = await c.readUntilReady();
    // Parse and Bind succeed (the statement is planned at Execute), the error skips the rest.
    expect(types(frames)).toBe('12EZ');
    expect(readErrorFields(frames[2]!.body).C).toBe('42703');
    expect(frames.at(-1)!.body.toString()).toBe('E');
    c.send(...statement('ROLLBACK'), buildSync());
    const after = await c.readUntilReady();
    expect(tagOf(after[3]!)).toBe('ROLLBACK');
    expect(after.at(-1)!.body.toString()).toBe('I');
  });

  it('runs DISCARD ALL on pooled reuse, dropping prepared statements, and DEALLOCATE ALL', async () => {
    c.send(buildParse('_p2', 'SELECT 1'), buildSync());
    await c.readUntilReady();
    c.send(...statement('DISCARD ALL'), buildSync());
    let frames = await c.readUntilReady();
    expect(tagOf(frames[3]!)).toBe('DISCARD ALL');
    c.send(buildBind('', '_p2', [], [], []), buildExecute('', 0), buildSync());
    frames = await c.readUntilReady();
    expect(types(frames)).toBe('EZ');
    expect(readErrorFields(frames[0]!.body).C).toBe('26000');
    c.send(buildParse('_p3', 'SELECT 2'), buildClose('S', '_p3'), ...statement('DEALLOCATE ALL'), buildSync());
    frames = await c.readUntilReady();
    expect(types(frames)).toBe('1312nCZ');
    expect(tagOf(frames[5]!)).toBe('DEALLOCATE ALL');
  });
});
