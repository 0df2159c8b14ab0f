/**
 * Regression: a member named after an Object.prototype property (`__proto__.x`, `constructor.name`,
 * `ECommerce.toString`) crashed member resolution with a TypeError (HTTP 500) or was reported as a
 * hidden member. Each must be an unknown member (400, UNKNOWN_MEMBER) wherever a query names one,
 * and such names as query keys must be refused as unknown keys.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

const NAMES = ['__proto__.x', 'constructor.name', 'toString.valueOf', 'ECommerce.__proto__', 'ECommerce.constructor', 'ECommerce.hasOwnProperty', '__proto__.__proto__'];

/** Every place a query names a member, each with the prototype-named member in it. */
function placements(name: string): Record<string, unknown>[] {
  return [
    { measures: [name] },
    { dimensions: [name] },
    { measures: ['ECommerce.count'], segments: [name] },
    { measures: ['ECommerce.count'], timeDimensions: [{ dimension: name, granularity: 'day' }] },
    { measures: ['ECommerce.count'], filters: [{ member: name, operator: 'equals', values: ['x'] }] },
    { measures: ['ECommerce.count'], order: [[name, 'asc']] },
    { measures: ['ECommerce.count'], order: { [name]: 'desc' } },
  ];
}

describe('member names that are Object.prototype properties', () => {
  it.each(NAMES)('%s is an unknown member in every part of a query, on load, sql and dry-run', async (name) => {
    for (const query of placements(name)) {
      for (const endpoint of ['load', 'sql', 'dry-run']) {
        const res = await request(stack.server.app).post(`/cubejs-api/v1/${endpoint}`).send({ query });
        expect(res.status, `${endpoint} ${JSON.stringify(query)}`).toBe(400);
        expect(res.body.type, `${endpoint} ${JSON.stringify(query)}`).toBe('UNKNOWN_MEMBER');
        expect(res.body.error).toContain(name);
      }
    }
  });

  it('refuses "__proto__" and "constructor" as query keys', async () => {
    // Written as text: an object literal's __proto__ key would set the prototype, not a key.
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const body = `{"query": {"measures": ["ECommerce.count"], "${key}": {"x": 1}}}`;
      const res = await request(stack.server.app).post('/cubejs-api/v1/load').set('Content-Type', 'application/json').send(body);
      expect(res.status, key).toBe(400);
      expect(res.body.error).toMatch(new RegExp(`${key}.*not allowed`));
    }
  });

  it('still resolves real members after all this', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: { measures: ['ECommerce.count'] } });
    expect(res.status).toBe(200);
    expect(Number(res.body.data[0]['ECommerce.count'])).toBeGreaterThan(0);
  });
});
