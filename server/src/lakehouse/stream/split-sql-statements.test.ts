import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from './split-sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits at line-ending semicolons, drops comment lines and keeps each start line', () => {
    const sql = '-- header; not a statement\nDELETE FROM a;\n\nINSERT INTO a\n-- why\nSELECT \';\' AS x;\nSELECT 1\n';
    expect(splitSqlStatements(sql)).toEqual([
      { sql: 'DELETE FROM a', line: 2 },
      { sql: "INSERT INTO a\nSELECT ';' AS x", line: 4 },
      { sql: 'SELECT 1', line: 7 },
    ]);
  });
});
