import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import { quoteKeywordListItems } from './quote-keyword-identifiers.ts';
import { splitStatements } from './classify-statement.ts';

beforeAll(async () => {
  await loadModule();
});

describe('quoteKeywordListItems', () => {
  it('quotes a reserved word standing alone in a list, as PostgreSQL folds it', () => {
    expect(quoteKeywordListItems('select 1 from t group by ROLLUP(row, ORDER)')).toBe('select 1 from t group by ROLLUP("row", "order")');
  });

  it('leaves values and words inside expressions alone', () => {
    expect(quoteKeywordListItems('select coalesce(a, null), f(true) from t')).toBeUndefined();
    expect(quoteKeywordListItems('select a from t order by a')).toBeUndefined();
  });
});

describe('splitStatements with reserved words as list items', () => {
  it('parses what only sqlparser-style grammars accept, and keeps valid SQL byte for byte', () => {
    const [fixed] = splitStatements('select rowId as "row", orderId as "order", sum(count) from t group by ROLLUP(row, order)');
    expect(fixed!.sql).toContain('ROLLUP("row", "order")');
    expect(fixed!.stmt?.SelectStmt).toBeDefined();
    const valid = 'select "order" from t group by ROLLUP(a, b)';
    expect(splitStatements(valid)[0]!.sql).toBe(valid);
  });

  it('still reports the original syntax error when quoting does not help', () => {
    expect(() => parseSync('select from from')).toThrow();
    expect(() => splitStatements('select (order, from')).toThrow(/syntax error/);
  });
});
