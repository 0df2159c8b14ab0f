import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule } from 'libpg-query';
import { classifyStatement, splitStatements } from './classify-statement.ts';

beforeAll(async () => {
  await loadModule();
});

describe('splitStatements', () => {
  it('reads an empty query string as no statement (EmptyQueryResponse), as it reads blanks and comments', () => {
    for (const text of ['', ' ', ';', '-- nothing', '/* nothing */']) expect(splitStatements(text), JSON.stringify(text)).toEqual([]);
  });

  it('splits statements and classifies each', () => {
    const splits = splitStatements('SET datestyle = ISO; SELECT 1; SELECT measure(count) FROM orders');
    const kinds = splits.map((s) => classifyStatement(s, (_, name) => name === 'orders').kind);
    expect(kinds).toEqual(['session', 'catalog', 'model']);
  });
});
