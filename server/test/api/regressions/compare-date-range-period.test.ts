/**
 * Regression: the rows of a compareDateRange answer lacked Cube's `compareDateRange` field ("from
 * - to"), so @cubejs-client/core, which pivots on it, merged the periods into one series and put
 * each period's number on the other's x. Checked through the HTTP API and the official client's
 * ResultSet, against hand SQL per period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultSet } from '@cubejs-client/core';
import { startStack, type Stack } from '../../support/stack.ts';
import { SALES_MODEL, SALES_SQL } from '../../engine/regressions/qa-model.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: { sql: SALES_SQL }, model: { files: { 'cubes/sales.yml': SALES_MODEL } }, serve: { http: true } });
});
afterAll(async () => stack?.close());

describe('a compareDateRange answer', () => {
  const query = { measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', granularity: 'day', compareDateRange: [['2025-03-03', '2025-03-04'], ['2025-03-04', '2025-03-05']] }] };

  it('names its period on every row, and the official client keeps the periods apart', async () => {
    const response = await fetch(`${stack.url}/cubejs-api/v1/load?queryType=multi&query=${encodeURIComponent(JSON.stringify(query))}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { query: { timeDimensions: { dateRange: string[] }[] }; data: Record<string, unknown>[] }[] };
    expect(body.results).toHaveLength(2);
    for (const result of body.results) {
      const period = result.query.timeDimensions[0]!.dateRange.join(' - ');
      expect(result.data.length).toBeGreaterThan(0);
      for (const row of result.data) expect(row.compareDateRange).toBe(period);
    }
    const want = await stack.hand(`SELECT strftime(date_trunc('day', sold_at), '%Y-%m-%d') AS day, count(*)::INTEGER AS n FROM sales GROUP BY 1 ORDER BY 1`);
    const byDay = new Map(want.map((w) => [w.day, w.n]));
    const series = new ResultSet(body as never).series();
    expect(series).toHaveLength(2);
    // The client lays every period on the first one's x axis, by position.
    series.forEach((s, i) => {
      const days = i === 0 ? ['2025-03-03', '2025-03-04'] : ['2025-03-04', '2025-03-05'];
      expect(s.series.map((p) => p.value)).toEqual(days.map((d) => byDay.get(d)));
    });
    expect(series.map((s) => s.key)).toEqual(body.results.map((r) => `${r.query.timeDimensions[0]!.dateRange.join(' - ')},sales.count`));
  });
});
