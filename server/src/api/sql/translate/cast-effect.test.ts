import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import { castEffect } from './cast-effect.ts';

beforeAll(async () => {
  await loadModule();
});

/** The TypeCast body of `SELECT x::<type>` as the real parser gives it. */
const cast = (type: string) => (parseSync(`SELECT x::${type}`) as { stmts: { stmt: { SelectStmt: { targetList: { ResTarget: { val: { TypeCast: object } } }[] } } }[] }).stmts[0]!.stmt.SelectStmt.targetList[0]!.ResTarget.val.TypeCast;

describe('castEffect', () => {
  it('keeps casts that change no value of the dimension', () => {
    expect(castEffect(cast('text'), 'string')).toBe('same');
    expect(castEffect(cast('varchar'), 'string')).toBe('same');
    expect(castEffect(cast('timestamp'), 'time')).toBe('same');
    expect(castEffect(cast('double precision'), 'number')).toBe('same');
  });

  it('reads a time dimension cast to date as its day', () => {
    expect(castEffect(cast('date'), 'time')).toBe('day');
    expect(castEffect(cast('date'), 'string')).toBeUndefined();
  });

  it('gives nothing for casts that may change values: rounding, text of a number, lengths, precision, arrays', () => {
    for (const [type, dim] of [['int', 'number'], ['text', 'number'], ['varchar(7)', 'time'], ['varchar(3)', 'string'], ['numeric(10,1)', 'number'], ['timestamp(0)', 'time'], ['text[]', 'string'], ['char', 'string'], ['timestamptz', 'time']]) {
      expect(castEffect(cast(type!), dim!), `${dim}::${type}`).toBeUndefined();
    }
  });
});
