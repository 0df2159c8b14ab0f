import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../engine/engine-types.ts';
import { loadResponseChunks, loadResponseText, serializeLoadResponse, serializeLoadResult } from './serialize-load-response.ts';

function result(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    query: { measures: ['Orders.count'], dimensions: ['Orders.status'] },
    columns: [
      { name: 'Orders.status', type: 'string' },
      { name: 'Orders.count', type: 'decimal' },
      { name: 'Orders.createdAt.day', type: 'time' },
    ],
    data: [
      ['paid', 'em "quote"\n', null],
      ['3', '10.50', '2024-05-13T00:00:00.000'],
      ['2024-05-13T00:00:00.000', null, 7n],
    ],
    rowCount: 3,
    annotation: { measures: {}, dimensions: {}, segments: {}, timeDimensions: {} },
    lastRefreshTime: '2024-05-13T10:00:00.000Z',
    usedPreAggregations: {},
    dataSource: 'default',
    dbType: 'duckdb',
    external: false,
    slowQuery: false,
    ...overrides,
  };
}

describe('serializeLoadResult', () => {
  it('writes one object per row from the columns, equal to what JSON.stringify of rows gives', () => {
    const r = result();
    const parsed = JSON.parse(serializeLoadResult(r, { requestId: 'req-1' }));
    expect(parsed.data).toEqual([
      { 'Orders.status': 'paid', 'Orders.count': '3', 'Orders.createdAt.day': '2024-05-13T00:00:00.000' },
      { 'Orders.status': 'em "quote"\n', 'Orders.count': '10.50', 'Orders.createdAt.day': null },
      { 'Orders.status': null, 'Orders.count': '2024-05-13T00:00:00.000', 'Orders.createdAt.day': '7' },
    ]);
    expect(parsed).toMatchObject({ query: r.query, requestId: 'req-1', dataSource: 'default', dbType: 'duckdb', external: false, slowQuery: false, total: null });
    expect(Object.keys(parsed).slice(0, 3)).toEqual(['query', 'data', 'lastRefreshTime']);
  });

  it('a copy of an answer (dev-mode timings) writes its own annotation; the same rows under other column names are written under those names', () => {
    const r = result();
    const first = JSON.parse(serializeLoadResult(r, { requestId: 'a' }));
    const timed = { ...r, annotation: { ...r.annotation, timings: { rewrite: 0.1 } } };
    const second = JSON.parse(serializeLoadResult(timed, { requestId: 'b' }));
    expect(second.annotation.timings).toEqual({ rewrite: 0.1 });
    expect(second.data).toEqual(first.data);
    const renamed = { ...r, columns: r.columns.map((c) => ({ ...c, name: `X.${c.name}` })) };
    expect(Object.keys(JSON.parse(serializeLoadResult(renamed, { requestId: 'c' })).data[0])).toEqual(['X.Orders.status', 'X.Orders.count', 'X.Orders.createdAt.day']);
  });

  it("writes a dev-mode copy's annotation exactly as JSON.stringify does, each time with that copy's timings", () => {
    const annotation = {
      measures: { 'Orders.count': { title: 'Orders Count', shortTitle: 'Count', type: 'number', format: 'currency', drillMembers: ['Orders.id'] } },
      dimensions: { 'Orders.status': { title: 'Orders "Status"', shortTitle: 'Status\u2028', type: 'string', meta: { a: [1, null] } } },
      segments: {},
      timeDimensions: {},
    };
    const r = result({ annotation });
    for (const timings of [{ rewrite: 0.1, shape: 0.02 }, { rewrite: 0.3 }]) {
      const copy = { ...r, annotation: { ...r.annotation, timings } };
      const text = serializeLoadResult(copy, { requestId: 'a' });
      expect(text).toContain(`"annotation":${JSON.stringify(copy.annotation)},`);
      expect(JSON.parse(text).annotation).toEqual(copy.annotation);
    }
    expect(serializeLoadResult(r, { requestId: 'a' })).toContain(`"annotation":${JSON.stringify(annotation)},`);
  });

  it('writes total when the engine counted it, and NaN/Infinity as null', () => {
    const r = result({ total: 41, columns: [{ name: 'a', type: 'number' }], data: [[1.5, Number.NaN, Number.POSITIVE_INFINITY]] });
    const parsed = JSON.parse(serializeLoadResult(r, { requestId: 'x' }));
    expect(parsed.total).toBe(41);
    expect(parsed.data).toEqual([{ a: 1.5 }, { a: null }, { a: null }]);
  });

  it('writes the compact format as members and dataset', () => {
    const parsed = JSON.parse(serializeLoadResult(result(), { requestId: 'x', responseFormat: 'compact' }));
    expect(parsed.data.members).toEqual(['Orders.status', 'Orders.count', 'Orders.createdAt.day']);
    expect(parsed.data.dataset[1]).toEqual(['em "quote"\n', '10.50', null]);
  });

  it('writes exactly what JSON.stringify writes for any strings, numbers, booleans and nulls', () => {
    const cell = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { maxLength: 20 }), (rows) => {
        const r = result({ columns: [{ name: 'a "b"', type: 'string' }, { name: 'c\\d', type: 'string' }], data: [rows.map((x) => x[0]), rows.map((x) => x[1])], rowCount: rows.length });
        const json = serializeLoadResult(r, { requestId: 'x' });
        const expected = rows.map(([a, b]) => ({ 'a "b"': a, 'c\\d': b }));
        const text = JSON.stringify(expected);
        expect(json).toContain(`"data":${text}`);
      }),
      { numRuns: 300 },
    );
  });

  it('writes an empty result as an empty array', () => {
    const parsed = JSON.parse(serializeLoadResult(result({ data: [[], [], []], rowCount: 0 }), { requestId: 'x' }));
    expect(parsed.data).toEqual([]);
  });
});

describe('serializeLoadResponse', () => {
  it('wraps results with queryType and pivotQuery for queryType=multi', () => {
    const parsed = JSON.parse(serializeLoadResponse({ queryType: 'regularQuery', results: [result()] }, true, { requestId: 'x' }));
    expect(parsed.queryType).toBe('regularQuery');
    expect(parsed.results).toHaveLength(1);
    expect(parsed.pivotQuery).toEqual({ measures: ['Orders.count'], dimensions: ['Orders.status'], queryType: 'regularQuery' });
    expect(parsed.slowQuery).toBe(false);
  });

  it('returns the single result object without queryType=multi, as Cube does for old clients', () => {
    const parsed = JSON.parse(serializeLoadResponse({ queryType: 'regularQuery', results: [result()] }, false, { requestId: 'x' }));
    expect(parsed.queryType).toBeUndefined();
    expect(parsed.data).toHaveLength(3);
  });

  it('pivots blending queries on time, with the measures and dimensions of every query', () => {
    const other = result({ query: { measures: ['Users.count', 'Orders.count'], dimensions: [], timeDimensions: [{ dimension: 'Users.createdAt', granularity: 'week' }] } });
    const parsed = JSON.parse(serializeLoadResponse({ queryType: 'blendingQuery', results: [result(), other] }, true, { requestId: 'x' }));
    expect(parsed.pivotQuery).toEqual({
      measures: ['Orders.count', 'Users.count'],
      dimensions: ['Orders.status'],
      timeDimensions: [{ dimension: 'time', granularity: 'week' }],
      queryType: 'blendingQuery',
    });
  });

  it('pivots compareDateRange queries on the range', () => {
    const parsed = JSON.parse(serializeLoadResponse({ queryType: 'compareDateRangeQuery', results: [result(), result()] }, true, { requestId: 'x' }));
    expect(parsed.pivotQuery.dimensions).toEqual(['compareDateRange', 'Orders.status']);
  });
});

describe('loadResponseText and loadResponseChunks', () => {
  it('counts the UTF-8 bytes of the body it writes (Content-Length), for kept answers, dev-mode copies and several results', () => {
    const r = result({ data: [['São Paulo', 'naïve ☃', '😀'], ['1', '2', '3'], [null, null, null]], query: { dimensions: ['Lojas.cidade'], filters: [{ member: 'Lojas.cidade', operator: 'equals', values: ['Goiânia'] }] } as LoadResult['query'] });
    const response = { queryType: 'regularQuery', results: [r] } as const;
    const copy = { queryType: 'regularQuery', results: [{ ...r, annotation: { ...r.annotation, timings: { rewrite: 0.5 } } }] } as const;
    const blended = { queryType: 'blendingQuery', results: [r, { ...r, usedPreAggregations: { 'x.ü': {} } }] } as const;
    const cases: [unknown, boolean][] = [[response, false], [response, false], [copy, false], [response, true], [blended, true]];
    for (const [answer, multi] of cases) {
      for (const requestId of ['plain', 'ação-1']) {
        const { text, bytes } = loadResponseText(answer as Parameters<typeof loadResponseText>[0], multi, { requestId });
        expect(bytes).toBe(Buffer.byteLength(text, 'utf8'));
        // The pieces /load writes: the same bytes, and the same count.
        const chunks = loadResponseChunks(answer as Parameters<typeof loadResponseChunks>[0], multi, { requestId });
        const written = Buffer.concat(chunks.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
        expect(written.toString('utf8')).toBe(text);
        expect(chunks.bytes).toBe(written.length);
        const parsed = JSON.parse(text);
        const first = multi ? parsed.results[0] : parsed;
        expect(first.requestId).toBe(requestId);
        expect(first.data[0]['Orders.status']).toBe('São Paulo');
      }
    }
    expect(JSON.parse(loadResponseText(copy as Parameters<typeof loadResponseText>[0], false, { requestId: 'c' }).text).annotation.timings).toEqual({ rewrite: 0.5 });
  });
});
