import { parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../errors/user-error.ts';
import { invalidTextRepresentation, rewriteTextConversions } from './postgres-text.ts';

const rewritten = (sql: string): string => {
  const select = (parseSync(sql) as { stmts: { stmt: { SelectStmt: object } }[] }).stmts[0]!.stmt.SelectStmt;
  rewriteTextConversions(select);
  return deparseSync({ SelectStmt: select } as never).replace(/\s+/g, ' ').trim();
};

describe('rewriteTextConversions', () => {
  it('leaves text that is text already alone', () => {
    expect(rewritten("SELECT 'a' || 'b', concat('x', NULL), 'n'::text FROM t")).toBe("SELECT 'a' || 'b', concat('x', NULL), 'n'::text FROM t");
  });
  it('prints other values through their DuckDB type', () => {
    expect(rewritten("SELECT a || '' FROM t")).toContain("CASE typeof(a) WHEN 'DOUBLE'");
  });
  it("turns Postgres's format() into a concat, and refuses what it cannot translate", () => {
    expect(rewritten("SELECT format('x%%y') FROM t")).toBe("SELECT concat('x%y') FROM t");
    expect(() => rewritten('SELECT format(f, a) FROM t')).toThrow(/not a constant/);
    expect(() => rewritten("SELECT format('%*s', 3, a) FROM t")).toThrow(/width taken from an argument/);
    expect(() => rewritten("SELECT format('%d', a) FROM t")).toThrow(expect.objectContaining({ sqlState: '22023', message: 'unrecognized format() type specifier "d"' }));
    expect(() => rewritten("SELECT format('%s %s', a) FROM t")).toThrow(expect.objectContaining({ sqlState: '22023' }));
  });
});

describe('invalidTextRepresentation', () => {
  it("words DuckDB's failed conversion of text as Postgres's 22P02", () => {
    const duck = new UserError('UNSUPPORTED', "cannot evaluate this query over the semantic layer's result: Conversion Error: Could not convert string 'it''s' to DOUBLE");
    expect(invalidTextRepresentation(duck)).toMatchObject({ sqlState: '22P02', message: 'invalid input syntax for type double precision: "it\'s"' });
    const other = new UserError('UNSUPPORTED', 'Binder Error: something else');
    expect(invalidTextRepresentation(other)).toBe(other);
  });
});
