/**
 * Cube's context variables written in JavaScript models compute like their YAML forms:
 * `${FILTER_PARAMS.c.m.filter('col')}`, the callback form `filter((from, to) => \`...\`)`,
 * `${Cube.sql()}` and `${SECURITY_CONTEXT.x}`. Expected answers are hand-written SQL over the same
 * hand-made rows; each case is built so that the construct changes the answer (an inner filter on
 * a shifted column, a narrowed range, a different user).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { queryDuckDbRows, startStack, type Stack } from '../support/stack.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';

const SETUP = `
CREATE TABLE orders (id INTEGER, user_id INTEGER, amount INTEGER, created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, 1, 10, '2024-01-01 10:00:00'),
  (2, 1, 20, '2024-01-02 11:00:00'),
  (3, 2, 5, '2024-01-02 12:00:00'),
  (4, 2, 7, '2024-01-04 09:00:00'),
  (5, 3, 100, '2024-02-01 08:00:00');
`;

const MODEL = `
const measures = {
  count: { type: \`count\` },
  amount: { sql: \`amount\`, type: \`sum\` },
};
const dimensions = {
  id: { sql: \`id\`, type: \`number\`, primaryKey: true },
  createdAt: { sql: \`created_at\`, type: \`time\` },
};

// the inner query keeps rows whose day before is in the filtered range
cube(\`shifted\`, {
  sql: \`SELECT * FROM orders WHERE \${FILTER_PARAMS.shifted.createdAt.filter('created_at - INTERVAL 1 DAY')}\`,
  measures,
  dimensions,
});

// the callback narrows the range's start by one day
cube(\`narrowed\`, {
  sql: \`SELECT * FROM orders WHERE \${FILTER_PARAMS.narrowed.createdAt.filter((from, to) => \`created_at >= CAST(\${from} AS TIMESTAMP) + INTERVAL 1 DAY AND created_at <= CAST(\${to} AS TIMESTAMP)\`)}\`,
  measures,
  dimensions,
});

cube(\`allOrders\`, {
  sqlTable: \`orders\`,
  measures,
  dimensions,
});

// built on another cube's SQL
cube(\`bigOrders\`, {
  sql: \`SELECT * FROM (\${allOrders.sql()}) AS base WHERE base.amount > 6\`,
  measures,
  dimensions,
});

// rows of the calling user only
cube(\`myOrders\`, {
  sql: \`SELECT * FROM orders WHERE user_id = \${SECURITY_CONTEXT.userId}\`,
  measures,
  dimensions,
});
`;

let stack: Stack;
let engine: SemanticEngine;

const as = (securityContext: Record<string, unknown>): RequestContext => ({ securityContext, requestId: 'js-template-references', api: 'internal' });

beforeAll(async () => {
  stack = await startStack({ data: { sql: SETUP }, model: { files: { 'cubes/orders.js': MODEL } } });
  engine = stack.engine;
});

afterAll(async () => stack?.close());

async function one(query: CubeQuery, ctx: RequestContext = as({})): Promise<number[]> {
  const result = (await engine.load(query, ctx)).results[0]!;
  return result.columns.map((_c, i) => Number(result.data[i]![0] ?? 0));
}

async function handSql(text: string): Promise<number[]> {
  return (await queryDuckDbRows(stack.duckdbPath, text))[0]!.map((v) => Number(v ?? 0));
}

const RANGE: [string, string] = ['2024-01-01', '2024-01-04'];
const IN_RANGE = `created_at >= '2024-01-01' AND created_at < '2024-01-05'`;

describe('context variables in JavaScript models', () => {
  it("FILTER_PARAMS ... filter('column SQL') applies the query's filter inside the cube's SQL", async () => {
    expect(await one({ measures: ['shifted.count', 'shifted.amount'], timeDimensions: [{ dimension: 'shifted.createdAt', dateRange: RANGE }] })).toEqual(
      await handSql(`SELECT count(*), sum(amount) FROM orders WHERE ${IN_RANGE} AND created_at - INTERVAL 1 DAY >= '2024-01-01' AND created_at - INTERVAL 1 DAY < '2024-01-05'`),
    );
    // without a filter on the member the inner condition is always true
    expect(await one({ measures: ['shifted.count'] })).toEqual(await handSql('SELECT count(*) FROM orders'));
  });

  it('FILTER_PARAMS ... filter((from, to) => `...`) gets the range bounds', async () => {
    expect(await one({ measures: ['narrowed.count', 'narrowed.amount'], timeDimensions: [{ dimension: 'narrowed.createdAt', dateRange: RANGE }] })).toEqual(
      await handSql(`SELECT count(*), sum(amount) FROM orders WHERE ${IN_RANGE} AND created_at >= '2024-01-02'`),
    );
  });

  it('${Cube.sql()} builds a cube on another cube’s SQL', async () => {
    expect(await one({ measures: ['bigOrders.count', 'bigOrders.amount'] })).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders WHERE amount > 6'));
  });

  it('${SECURITY_CONTEXT.x} is the caller’s value, bound per request', async () => {
    expect(await one({ measures: ['myOrders.count', 'myOrders.amount'] }, as({ userId: 2 }))).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders WHERE user_id = 2'));
    expect(await one({ measures: ['myOrders.count', 'myOrders.amount'] }, as({ userId: 1 }))).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders WHERE user_id = 1'));
  });
});

describe('access policies written in JavaScript', () => {
  const POLICY_MODEL = `
cube(\`orders\`, {
  sql_table: \`orders\`,
  measures: { count: { type: \`count\` }, amount: { sql: \`amount\`, type: \`sum\` } },
  dimensions: { id: { sql: \`id\`, type: \`number\`, primary_key: true }, userId: { sql: \`user_id\`, type: \`number\` } },
  access_policy: [
    { group: \`internal\` },
    {
      group: \`customer\`,
      row_level: {
        filters: [{ member: \`\${CUBE}.userId\`, operator: \`equals\`, values: [securityContext.userId] }],
      },
    },
  ],
});
`;
  let policyStack: Stack;
  let policyEngine: SemanticEngine;
  beforeAll(async () => {
    policyStack = await startStack({ data: { duckdbPath: stack.duckdbPath }, model: { files: { 'orders.js': POLICY_MODEL } } });
    policyEngine = policyStack.engine;
  });
  afterAll(async () => policyStack?.close());

  async function total(securityContext: Record<string, unknown>): Promise<number[]> {
    const result = (await policyEngine.load({ measures: ['orders.count', 'orders.amount'] }, as(securityContext))).results[0]!;
    return result.columns.map((_c, i) => Number(result.data[i]![0] ?? 0));
  }

  it('a row-level filter on the caller’s claim: each customer sees its rows, the internal group all', async () => {
    expect(await total({ groups: ['customer'], userId: 2 })).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders WHERE user_id = 2'));
    expect(await total({ groups: ['customer'], userId: 3 })).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders WHERE user_id = 3'));
    expect(await total({ groups: ['internal'] })).toEqual(await handSql('SELECT count(*), sum(amount) FROM orders'));
  });
});
