import { describe, expect, it } from 'vitest';
import { splitSqlFile } from './split-sql-file.ts';

describe('splitSqlFile', () => {
  it('splits at semicolons outside quotes and comments, keeping the line of each statement', () => {
    const text = "-- header; not a split\nSELECT 'a;b' AS x;\n\n/* block; */ SELECT \"c;d\" FROM t; -- tail\nSELECT 'it''s;' ;\n-- only a comment;\n";
    expect(splitSqlFile(text)).toEqual([
      { index: 1, line: 2, sql: "-- header; not a split\nSELECT 'a;b' AS x" },
      { index: 2, line: 4, sql: '/* block; */ SELECT "c;d" FROM t' },
      { index: 3, line: 5, sql: "-- tail\nSELECT 'it''s;'" },
    ]);
  });

  it('returns nothing for a file of comments and blanks', () => {
    expect(splitSqlFile('-- nothing;\n/* here; */\n  \n')).toEqual([]);
  });
});
