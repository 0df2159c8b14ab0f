/**
 * pgjdbc (Maven org.postgresql:postgresql) against the SQL API, with SCRAM, plain and TLS:
 * DatabaseMetaData.getTables/getColumns, then prepared statements executed more than five times.
 * The Java program is compiled with javac in a temp dir; answers come from SQL on the source.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';

const run = promisify(execFile);
const here = new URL('.', import.meta.url).pathname;
let f: OrdersStack;
let classpath: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sql-api-jdbc-'));
  await run('mvn', ['-q', '-f', join(here, 'java', 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(dir, 'lib')}`], { cwd: dir, timeout: 240_000 });
  classpath = `${join(dir, 'lib', '*')}:${dir}`;
  await run('javac', ['-cp', join(dir, 'lib', '*'), '-d', dir, join(here, 'java', 'SqlApiJdbcCheck.java')]);
  f = await startOrdersStack();
}, 300_000);
afterAll(async () => f?.close());

async function jdbc(params: string): Promise<string[]> {
  const url = `jdbc:postgresql://127.0.0.1:${f.server.port}/db?${params}`;
  const { stdout } = await run('java', ['-cp', classpath, 'SqlApiJdbcCheck', url, 'admin', 'admin_password'], { timeout: 60_000 });
  return stdout.trim().split('\n');
}

async function expectedLines(): Promise<string[]> {
  const rows = (await f.db.runAndReadAll(`select status, count(*), sum(amount) from orders where city = 'Recife' and amount > 500 group by 1 order by 1`)).getRows();
  const months = (await f.db.runAndReadAll(`select strftime(date_trunc('month', created_at), '%Y-%m-%d'), count(*) from orders where status = 'paid' group by 1 order by 1 limit 2`)).getRows();
  const lines: string[] = [];
  for (let run = 1; run <= 7; run++) for (const r of rows) lines.push(`ROW ${run} ${r[0]} ${r[1]} ${Number(r[2]).toFixed(1).replace(/\.0$/, '.0')}`);
  for (let run = 1; run <= 6; run++) for (const m of months) lines.push(`MONTH ${run} ${m[0]} ${m[1]}`);
  return lines;
}

describe('pgjdbc', () => {
  for (const [label, params] of [
    ['plain', 'sslmode=disable'],
    ['TLS', `sslmode=verify-full&sslrootcert=${encodeURIComponent('CERT')}`],
  ] as const) {
    it(`lists tables and columns and repeats prepared statements (${label})`, async () => {
      const out = await jdbc(params.replace('CERT', f.cert.certFile));
      expect(out).toContain('TABLE orders Orders: One row per order line');
      expect(out).toEqual(expect.arrayContaining(['COLUMN total_amount float8', 'COLUMN count int8', 'COLUMN created_at timestamp', 'COLUMN status text']));
      const rows = out.filter((l) => l.startsWith('ROW') || l.startsWith('MONTH'));
      const expected = await expectedLines();
      expect(rows.map(normalize)).toEqual(expected.map(normalize));
    }, 120_000);
  }
});

/** Doubles print differently in Java and JS; compare them numerically at 1e-9. */
function normalize(line: string): string {
  return line.replace(/-?\d+\.\d+(E-?\d+)?/g, (n) => Number(n).toFixed(6));
}
