import { describe, expect, it } from 'vitest';
import { foldLiteralLists } from './fold-literal-lists.ts';

describe('foldLiteralLists', () => {
  const list = Array.from({ length: 20 }, (_, i) => `'v''${i}'`).join(', ');

  it('folds a long IN list of literals into one placeholder and keeps the values', () => {
    const folded = foldLiteralLists(`select a from t where b in (${list}) and c = 1 -- in ('x')`);
    expect(folded.text).toBe(`select a from t where b in ('__sqlapi_list_0__') and c = 1 -- in ('x')`);
    const only = folded.lists.get('__sqlapi_list_0__')!;
    expect(only.values[0]).toBe("v'0");
    expect(only.values).toHaveLength(20);
    expect(only.text).toBe(list);
  });

  it('leaves short lists, expressions, VALUES rows and strings alone', () => {
    const numbers = Array.from({ length: 20 }, (_, i) => String(i)).join(',');
    for (const sql of [
      `select a from t where b in (1, 2, 3) ${' '.repeat(200)}`,
      `select a from t where b in (${numbers}, c) ${' '.repeat(200)}`,
      `select * from (values (${numbers})) v ${' '.repeat(200)}`,
      `select 'in (${numbers})' ${' '.repeat(200)}`,
    ]) {
      expect(foldLiteralLists(sql).text).toBe(sql);
    }
    const folded = foldLiteralLists(`select a from t where b IN (${numbers}) ${' '.repeat(200)}`);
    expect(folded.lists.get('__sqlapi_list_0__')!.values).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
