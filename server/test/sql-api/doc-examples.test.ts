/**
 * Every SQL example in README.md and docs/powerbi.md (```sql blocks, `psql … -c` lines, inline
 * `SELECT … FROM …` queries; `support/extract-doc-examples.ts`) runs against the SQL API on the gold
 * fixture and succeeds. psql lines run in the real psql client with the connection string as
 * written (host, port and user pointed at the test server, which offers TLS as documented), and
 * their printed header must match the document's. Model queries must equal the REST query that
 * means the same (REST_EQUIVALENTS); an example dated outside the fixture's data also runs with
 * its dates moved into it, so the comparison is never between two empty answers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { extractDocExamples, type DocExample } from './support/extract-doc-examples.ts';
import { BI_PASSWORD, BI_SQL, BI_USER, connectBi, rowLines, run } from './support/bi-sql-client.ts';
import { GOLD_EXTRA_FILES, serveSql, startStack, type Stack } from '../support/stack.ts';
import { loadRest } from '../support/api-requests.ts';
import { makeCert } from '../support/make-cert.ts';

/** Example id (`doc:line`) → what goes wrong today. */
const KNOWN_FAILING: ReadonlyMap<string, string> = new Map<string, string>([]);

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DOCS = ['README.md', 'docs/powerbi.md'];

/** The REST query each model-query example means, with its columns in the example's order. */
const REST_EQUIVALENTS: ReadonlyMap<string, { query: Record<string, unknown>; columns: string[]; ordered?: boolean; shift?: [string, string] }> = new Map([
  [
    "SELECT canal_nome, MEASURE(vendas_liquidas) AS vendas_liquidas, MEASURE(pedidos) AS pedidos FROM vendas WHERE data_venda >= '2025-11-01' AND data_venda < '2025-12-01' GROUP BY 1 ORDER BY 2 DESC",
    {
      query: {
        measures: ['vendas.vendas_liquidas', 'vendas.pedidos'],
        dimensions: ['vendas.canal_nome'],
        timeDimensions: [{ dimension: 'vendas.data_venda', dateRange: ['2025-11-01', '2025-11-30'] }],
        order: { 'vendas.vendas_liquidas': 'desc' },
      },
      columns: ['vendas.canal_nome', 'vendas.vendas_liquidas', 'vendas.pedidos'],
      ordered: true,
      shift: ['2025-', '2024-'],
    },
  ],
  ['SELECT canal_nome, MEASURE(vendas_liquidas) FROM vendas GROUP BY 1', { query: { measures: ['vendas.vendas_liquidas'], dimensions: ['vendas.canal_nome'] }, columns: ['vendas.canal_nome', 'vendas.vendas_liquidas'] }],
]);

const run$ = promisify(execFile);
const examples: DocExample[] = [];
let world: Stack;
let tlsServer: SqlServer;
let client: pg.Client;
let modelTables: Set<string>;

beforeAll(async () => {
  for (const doc of DOCS) examples.push(...extractDocExamples(doc, await readFile(path.join(ROOT, doc), 'utf8')));
  world = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true, sql: BI_SQL } });
  tlsServer = await serveSql(world.engine, { ...BI_SQL, tls: await makeCert(await mkdtemp(path.join(os.tmpdir(), 'doc-examples-'))) });
  client = await connectBi(tlsServer.port);
  const meta = (await (await fetch(`${world.url}/cubejs-api/v1/meta`)).json()) as { cubes: { name: string }[] };
  modelTables = new Set(meta.cubes.map((c) => c.name));
}, 300_000);

afterAll(async () => {
  await client?.end();
  await tlsServer?.close();
  await world?.close();
});

/** The documented connection string pointed at the test server (host, port, user), everything else kept. */
function testConninfo(written: string): string {
  if (/^postgres(ql)?:\/\//.test(written)) {
    const url = new URL(written);
    url.username = BI_USER;
    url.hostname = '127.0.0.1';
    url.port = String(tlsServer.port);
    return url.toString();
  }
  return written.replace(/\bhost=\S+/, 'host=127.0.0.1').replace(/\bport=\S+/, `port=${tlsServer.port}`).replace(/\buser=\S+/, `user=${BI_USER}`);
}

async function psql(conninfo: string, command: string): Promise<string> {
  const { stdout } = await run$('psql', [testConninfo(conninfo), '-X', '-v', 'ON_ERROR_STOP=1', '-c', command], { env: { ...process.env, PGPASSWORD: BI_PASSWORD, PGCONNECT_TIMEOUT: '10' }, timeout: 60_000 });
  return stdout;
}

const header = (line: string | undefined) => (line ?? '').split('|').map((s) => s.trim());
const readsModel = (sql: string) => [...sql.matchAll(/\b(?:FROM|JOIN)\s+(?:"?public"?\.)?"?(\w+)"?/gi)].some((m) => modelTables.has(m[1]!));

async function checkModelValues(sql: string): Promise<void> {
  const equivalent = REST_EQUIVALENTS.get(sql.replace(/\s+/g, ' ').trim());
  expect(equivalent, `no REST equivalent recorded for this model query: add it to REST_EQUIVALENTS\n${sql}`).toBeDefined();
  const { query, columns, ordered, shift } = equivalent!;
  const compare = async (text: string, rest: object) => {
    const got = await run(client, text);
    expect(got.ok ? '' : `${got.code} ${got.message}`).toBe('');
    const want = (await loadRest(world.url, rest)).map((r) => columns.map((c) => r[c] ?? null));
    expect(rowLines(got.ok ? got.rows : [], ordered)).toEqual(rowLines(want, ordered));
    return want.length;
  };
  const rows = await compare(sql, query);
  if (shift) {
    const moved = await compare(sql.split(shift[0]).join(shift[1]), JSON.parse(JSON.stringify(query).split(shift[0]).join(shift[1])) as object);
    expect(moved, 'the example with its dates moved into the fixture answers rows').toBeGreaterThan(0);
  } else {
    expect(rows, 'the example answers rows on the fixture').toBeGreaterThan(0);
  }
}

describe('examples of README.md and docs/powerbi.md', () => {
  it('finds the documented examples (psql lines in both documents, the native query of docs/powerbi.md)', () => {
    for (const doc of DOCS) expect(examples.filter((e) => e.doc === doc && e.kind === 'psql').length, doc).toBeGreaterThanOrEqual(1);
    expect(examples.filter((e) => e.doc === 'docs/powerbi.md' && e.kind === 'inline').length).toBeGreaterThanOrEqual(1);
  });

  for (const doc of DOCS) {
    describe(doc, () => {
      // Examples are read in beforeAll; one test per document walks them so a new example is never skipped.
      it('every example runs against the SQL API', async () => {
        const mine = examples.filter((e) => e.doc === doc);
        expect(mine.length).toBeGreaterThan(0);
        const failures: string[] = [];
        for (const e of mine) {
          const id = `${e.doc}:${e.line}`;
          try {
            await checkExample(e);
            if (KNOWN_FAILING.has(id)) failures.push(`${id} now works: take it off KNOWN_FAILING`);
          } catch (err) {
            if (!KNOWN_FAILING.has(id)) failures.push(`${id} (${e.kind}) ${e.sql}\n  ${(err as Error).message.split('\n').slice(0, 6).join('\n  ')}`);
          }
        }
        expect(failures, failures.join('\n')).toEqual([]);
      });
    });
  }
});

async function checkExample(e: DocExample): Promise<void> {
  if (e.kind === 'psql') {
    const out = await psql(e.conninfo ?? '', e.sql);
    if (e.sql.startsWith('\\')) {
      expect(out, `psql ${e.sql} lists the view vendas`).toMatch(/\bvendas\b/);
      return;
    }
    if (e.output?.length) expect(header(out.split('\n')[0]), 'the header psql prints').toEqual(header(e.output[0]));
  }
  if (e.sql.startsWith('\\')) return;
  const got = await run(client, e.sql);
  expect(got.ok ? '' : `${got.code} ${got.message}`, e.sql).toBe('');
  if (readsModel(e.sql)) await checkModelValues(e.sql);
}
