/**
 * Cube's leniency, kept where Cube is lenient: a view listing the same member twice is one member;
 * a member whose SQL names a cube or member that does not exist is a compile warning (file, line,
 * member), stays listed in /meta, and fails only the queries that reach it (a 4xx naming it);
 * strict mode (option, `CUBEJS_SCHEMA_STRICT=true`, `validate --strict`) makes it an error.
 * Answers of the queries that still work are checked against hand SQL over the same rows.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/index.ts';
import { ERROR_CODES } from '../../src/errors/error-codes.ts';
import { UserError } from '../../src/errors/user-error.ts';
import { compileModel, tryCompileModel } from '../../src/model/compile-model.ts';
import { ctx, normalized, startHandMadeEngine, type HandMadeEngine } from '../support/hand-made-engine.ts';
import { yamlModelToJs } from '../support/yaml-model-to-js.ts';
import { describeProblems, problemsOf } from './model-test-helpers.ts';

const DATA = `
CREATE TABLE orders (id INTEGER, status VARCHAR, amount DOUBLE);
INSERT INTO orders VALUES (1, 'paid', 10), (2, 'paid', 20), (3, 'shipped', 5), (4, NULL, 7);
`;

// Line numbers matter: the warnings name them.
const MODEL = `cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: with_customer, sql: "{CUBE}.status || {customers.name}", type: string }
    measures:
      - { name: count, type: count }
      - { name: amount, sql: amount, type: sum }
      - { name: lost_amount, sql: "{refunds_total}", type: sum }
views:
  - name: sales
    cubes:
      - join_path: orders
        includes: [status, count, status, amount, count, { name: amount, alias: revenue }]
`;

const FILE = 'cubes/orders.yml';
let db: HandMadeEngine;
beforeAll(async () => {
  db = await startHandMadeEngine(DATA, { [FILE]: MODEL });
});
afterAll(async () => db?.close());

describe('views listing a member twice', () => {
  it('keeps one member per name and answers like hand SQL', async () => {
    const view = db.engine.currentModel().views.sales!;
    expect(Object.keys(view.members).sort()).toEqual(['amount', 'count', 'revenue', 'status']);
    const rows = await db.load({ measures: ['sales.count', 'sales.revenue'], dimensions: ['sales.status'] });
    const want = await db.sql(`SELECT status AS "sales.status", count(*) AS "sales.count", sum(amount) AS "sales.revenue" FROM orders GROUP BY status`);
    expect(normalized(rows)).toEqual(normalized(want));
  });

  it('still refuses one name given to two different members or options', () => {
    const view = (includes: string) => `${MODEL.split('views:')[0]}views:
  - name: v
    cubes:
      - join_path: orders
        includes: ${includes}
`;
    expect(describeProblems(problemsOf(view('[status, { name: amount, alias: status }]')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^cubes\/test\.yml:16 v\.cubes\[0\]: duplicate view member "status": it would show both orders\.status and orders\.amount/)]),
    );
    expect(describeProblems(problemsOf(view('[status, { name: status, title: Other }]')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/duplicate view member "status": .*with different options/)]),
    );
  });
});

describe('dangling references', () => {
  it('compile with a warning naming file, line and member', () => {
    const outcome = tryCompileModel([{ path: FILE, content: MODEL }], { strict: false });
    expect(outcome.errors).toEqual([]);
    expect(describeProblems(outcome.warnings).sort()).toEqual([
      `${FILE}:11 orders.lost_amount: unknown reference {refunds_total}: no member "refunds_total" in cube orders and no cube of that name (queries using orders.lost_amount fail until it is fixed)`,
      `${FILE}:7 orders.with_customer: unknown reference {customers.name}: no cube "customers" (queries using orders.with_customer fail until it is fixed)`,
    ]);
  });

  it('leave every other query of the cube working', async () => {
    const rows = await db.load({ measures: ['orders.count', 'orders.amount'], dimensions: ['orders.status'] });
    const want = await db.sql(`SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.amount" FROM orders GROUP BY status`);
    expect(normalized(rows)).toEqual(normalized(want));
  });

  it('fail the query that uses the member with a 4xx naming it and the reference', async () => {
    for (const query of [{ dimensions: ['orders.with_customer'] }, { measures: ['orders.lost_amount'] }, { measures: ['orders.count'], filters: [{ member: 'orders.with_customer', operator: 'set' as const }] }]) {
      const error = await db.engine.load(query, ctx).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('UNKNOWN_MEMBER');
      expect(ERROR_CODES[(error as UserError).code].http).toBe(400);
    }
    const error = (await db.engine.load({ dimensions: ['orders.with_customer'] }, ctx).catch((e: unknown) => e)) as UserError;
    expect(error.message).toBe(`orders.with_customer cannot be queried: its SQL has an unknown reference {customers.name}: no cube "customers" (${FILE}:7)`);
    expect(error.location).toEqual(expect.objectContaining({ file: FILE, line: 7 }));
  });

  it('are still listed in /meta, as Cube lists them', async () => {
    const meta = (await db.engine.meta(ctx)) as { cubes: { name: string; dimensions: { name: string }[]; measures: { name: string }[] }[] };
    const orders = meta.cubes.find((c) => c.name === 'orders')!;
    expect(orders.dimensions.map((d) => d.name)).toContain('orders.with_customer');
    expect(orders.measures.map((m) => m.name)).toContain('orders.lost_amount');
  });

  it('are errors in strict mode: option and CUBEJS_SCHEMA_STRICT=true', () => {
    const expected = [
      `${FILE}:7 orders.with_customer: unknown reference {customers.name}: no cube "customers"`,
      `${FILE}:11 orders.lost_amount: unknown reference {refunds_total}: no member "refunds_total" in cube orders and no cube of that name`,
    ].sort();
    expect(describeProblems(problemsOf([{ path: FILE, content: MODEL }], { strict: true })).sort()).toEqual(expected);
    vi.stubEnv('CUBEJS_SCHEMA_STRICT', 'true');
    try {
      expect(describeProblems(problemsOf([{ path: FILE, content: MODEL }])).sort()).toEqual(expected);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the same leniency in a JavaScript model', () => {
  const JS_FILE = 'cubes/orders.js';
  const files = [{ path: JS_FILE, content: yamlModelToJs(MODEL) }];

  it('de-duplicates the view, warns of each dangling reference with its line, and fails only the queries reaching one', async () => {
    const outcome = tryCompileModel(files, { strict: false });
    expect(outcome.errors).toEqual([]);
    expect(describeProblems(outcome.warnings).sort()).toEqual([
      expect.stringMatching(/^cubes\/orders\.js:\d+ orders\.with_customer: unknown reference \{customers\.name\}: no cube "customers"/),
      expect.stringMatching(/^cubes\/orders\.js:\d+ orders\.lost_amount: unknown reference \{refunds_total\}/),
    ]);
    const js = await startHandMadeEngine(DATA, Object.fromEntries(files.map((f) => [f.path, f.content])));
    try {
      expect(Object.keys(js.engine.currentModel().views.sales!.members).sort()).toEqual(['amount', 'count', 'revenue', 'status']);
      const rows = await js.load({ measures: ['sales.count', 'sales.revenue'], dimensions: ['sales.status'] });
      const want = await js.sql(`SELECT status AS "sales.status", count(*) AS "sales.count", sum(amount) AS "sales.revenue" FROM orders GROUP BY status`);
      expect(normalized(rows)).toEqual(normalized(want));
      const error = await js.engine.load({ measures: ['orders.lost_amount'] }, ctx).then(() => undefined, (e: unknown) => e);
      expect((error as UserError).code).toBe('UNKNOWN_MEMBER');
    } finally {
      await js.close();
    }
    expect(problemsOf(files, { strict: true }).length).toBe(2);
  });
});

describe('npm run cli -- validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    mkdirSync(path.join(dir, 'cubes'));
    writeFileSync(path.join(dir, FILE), MODEL);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      const code = await runCli(['node', 'cli', 'validate', '--model', dir, ...args]);
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('exits 0 and prints the warnings with file and line', async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(0);
    expect(out).toContain('1 cube(s), 1 view(s), 2 warning(s)');
    expect(err).toContain(`warning: ${FILE}:7 orders.with_customer: unknown reference {customers.name}`);
  });

  it('exits 1 with --strict, listing the references as errors', async () => {
    const { code, err } = await run(['--strict']);
    expect(code).toBe(1);
    expect(err).toContain('error [MODEL_INVALID]: Model has 2 error(s)');
    expect(err).toContain(`${FILE}:11: orders.lost_amount: unknown reference {refunds_total}`);
  });
});
