import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule } from 'libpg-query';
import { rewriteCatalogCompat } from './rewrite-catalog-compat.ts';

beforeAll(async () => {
  await loadModule();
});

describe('rewriteCatalogCompat', () => {
  it('answers pg_database.daticulocale (psql 15/16 \\l) from datlocale, keeping the alias', () => {
    expect(rewriteCatalogCompat('SELECT d.datname, d.daticulocale FROM pg_catalog.pg_database d ORDER BY 1')).toBe(
      'SELECT d.datname, d.daticulocale FROM (SELECT r.*, r.datlocale AS daticulocale FROM pg_catalog.pg_database r) d ORDER BY 1',
    );
  });

  it('names the subquery after the relation when the statement gave no alias', () => {
    expect(rewriteCatalogCompat('SELECT pg_database.daticulocale FROM pg_database')).toBe(
      'SELECT pg_database.daticulocale FROM (SELECT r.*, r.datlocale AS daticulocale FROM pg_catalog.pg_database r) pg_database',
    );
  });

  it('leaves statements that do not name an old column unchanged', () => {
    for (const sql of ['SELECT datname, datlocale FROM pg_catalog.pg_database', "SELECT 'daticulocale' FROM pg_catalog.pg_database", 'SELECT daticulocale FROM other_schema.pg_database']) {
      expect(rewriteCatalogCompat(sql)).toBe(sql);
    }
  });
});
