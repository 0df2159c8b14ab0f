/**
 * Replays the recorded corpus of BI-tool statements (`bi-corpus/statements.json`: Power BI over
 * Npgsql 4.0.17, psqlODBC for Excel and Tableau, pgjdbc, Metabase, Superset over SQLAlchemy) against
 * the SQL API on the gold fixture, one connection per tool session, in file order, with the
 * protocol the tool uses. Each answer is judged by its check (`support/check-corpus-statement.ts`):
 * model queries against `MEASURE()`, REST or SQL written by hand on the gold tables; catalog
 * queries by their columns and listed rows; DDL by a refusal with a SQLSTATE.
 *
 * KNOWN_FAILING lists the statements the SQL API does not answer right today, with what it does;
 * they run as `it.fails`, so a fixed statement fails the suite until it is taken off the list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCorpusStatement, type CorpusStatement } from './support/check-corpus-statement.ts';
import { BI_SQL, connectBi, run } from './support/bi-sql-client.ts';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';

/** Statement id → what goes wrong today. Empty it as the SQL API is fixed. */
const KNOWN_FAILING: ReadonlyMap<string, string> = new Map<string, string>([]);

const CORPUS = JSON.parse(readFileSync(path.join(import.meta.dirname, 'bi-corpus', 'statements.json'), 'utf8')) as { statements: CorpusStatement[] };

let world: Stack;
let oracle: pg.Client;
const sessions = new Map<string, pg.Client>();
const captured = new Map<string, string>();
const outcomes = new Map<string, string | undefined>();

beforeAll(async () => {
  world = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true, sql: BI_SQL } });
  oracle = await connectBi(world.sqlPort);
}, 300_000);

afterAll(async () => {
  for (const client of sessions.values()) await client.end().catch(() => {});
  await oracle?.end();
  await world?.close();
  printSummary();
});

async function sessionClient(name: string): Promise<pg.Client> {
  let client = sessions.get(name);
  if (!client) {
    client = await connectBi(world.sqlPort);
    client.on('error', () => {});
    sessions.set(name, client);
  }
  return client;
}

/** `{{name}}` → a value an earlier statement of the corpus captured (as the tool would reuse it). */
function fill(sql: string): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = captured.get(name);
    if (value === undefined) throw new Error(`{{${name}}} was not captured by an earlier statement`);
    return value;
  });
}

describe('the corpus', () => {
  it('holds at least 60 statements from every tool family, with unique ids', () => {
    expect(CORPUS.statements.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.statements.map((s) => s.id)).size).toBe(CORPUS.statements.length);
    for (const family of ['Power BI', 'psqlODBC', 'Tableau', 'Excel', 'pgjdbc', 'Metabase', 'Superset']) {
      expect(CORPUS.statements.some((s) => s.tool.includes(family)), family).toBe(true);
    }
    for (const id of KNOWN_FAILING.keys()) expect(CORPUS.statements.some((s) => s.id === id), id).toBe(true);
  });
});

describe('BI-tool statements replayed against the SQL API', () => {
  for (const statement of CORPUS.statements) {
    const known = KNOWN_FAILING.get(statement.id);
    (known ? it.fails : it)(`${statement.id} (${statement.tool}: ${statement.purpose})${known ? ` [KNOWN FAILING: ${known}]` : ''}`, async () => {
      const client = await sessionClient(statement.session);
      const got = await run(client, fill(statement.sql), { extended: statement.protocol === 'extended', params: statement.params });
      if (!got.ok) await run(client, 'ROLLBACK');
      if (statement.capture && got.ok && got.rows[0]?.[0] != null) captured.set(statement.capture, String(got.rows[0][0]));
      const problem = await checkCorpusStatement(statement.check, got, { oracle, restUrl: world.url, duckdbPath: world.duckdbPath });
      outcomes.set(statement.id, problem);
      expect(problem, statement.sql).toBeUndefined();
    });
  }
});

function printSummary(): void {
  const byTool = new Map<string, { pass: number; fail: number }>();
  for (const s of CORPUS.statements) {
    if (!outcomes.has(s.id)) continue;
    const entry = byTool.get(s.tool) ?? { pass: 0, fail: 0 };
    if (outcomes.get(s.id) === undefined) entry.pass++;
    else entry.fail++;
    byTool.set(s.tool, entry);
  }
  const lines = [`BI corpus: ${outcomes.size} of ${CORPUS.statements.length} statements run`];
  for (const [tool, { pass, fail }] of byTool) lines.push(`  ${String(pass).padStart(3)} right  ${String(fail).padStart(3)} wrong  ${tool}`);
  for (const [id, problem] of outcomes) {
    if (problem !== undefined) lines.push(`  ${KNOWN_FAILING.has(id) ? 'known     ' : 'UNEXPECTED'} ${id}: ${problem.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  for (const id of KNOWN_FAILING.keys()) if (outcomes.has(id) && outcomes.get(id) === undefined) lines.push(`  FIXED (take off KNOWN_FAILING) ${id}`);
  console.log(lines.join('\n'));
}
