import { parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import { describe, expect, it } from 'vitest';
import { parseArrayLiteral, rewriteAnyAllLists } from './any-all-lists.ts';

const rewritten = (sql: string, params: (string | null)[] = []): string => {
  const select = (parseSync(sql) as { stmts: { stmt: { SelectStmt: object } }[] }).stmts[0]!.stmt.SelectStmt;
  rewriteAnyAllLists(select, params);
  return oneLine(deparseSync({ SelectStmt: select } as never));
};
const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

describe('parseArrayLiteral', () => {
  it("reads Postgres's array text: quotes, escapes, NULL, spaces", () => {
    expect(parseArrayLiteral('{a, "b c" ,NULL,"NULL","x\\"y",null}')).toEqual(['a', 'b c', null, 'NULL', 'x"y', null]);
    expect(parseArrayLiteral(' { } ')).toEqual([]);
  });
  it('gives nothing for nested arrays, decorations or broken text', () => {
    for (const text of ['{{a},{b}}', '[1:2]={a,b}', '{a,,b}', '{"a}', 'a,b']) expect(parseArrayLiteral(text), text).toBeUndefined();
  });
});

describe('rewriteAnyAllLists', () => {
  it('turns = ANY and <> ALL over constant arrays into IN and NOT IN lists', () => {
    expect(rewritten("SELECT 1 FROM t WHERE a = ANY('{x,y}') AND b <> ALL(ARRAY[1, 2]) AND c = ANY('{1}'::int[])")).toBe(
      "SELECT 1 FROM t WHERE a IN ('x', 'y') AND b NOT IN (1, 2) AND c IN ('1'::int)",
    );
    expect(rewritten('SELECT 1 FROM t WHERE a = ANY($1)', ['{p,NULL}'])).toBe("SELECT 1 FROM t WHERE a IN ('p', NULL)");
    expect(rewritten("SELECT 1 FROM t WHERE a = ANY('{}') OR a <> ALL('{}')")).toBe('SELECT 1 FROM t WHERE false OR true');
  });
  it('leaves other operators and non-constant arrays alone', () => {
    for (const sql of ["SELECT 1 FROM t WHERE a > ANY('{1,2}')", 'SELECT 1 FROM t WHERE a = ANY(b)', "SELECT 1 FROM t WHERE a = ALL('{1}')"]) {
      expect(rewritten(sql)).toBe(oneLine(deparseSync((parseSync(sql) as { stmts: { stmt: object }[] }).stmts[0]!.stmt as never)));
    }
  });
});
