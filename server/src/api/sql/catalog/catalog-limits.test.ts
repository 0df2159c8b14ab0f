import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_MEMORY_BYTES, readCatalogLimits } from './catalog-limits.ts';
import { readSandboxOptions } from '../sandbox/sandbox-options.ts';

describe('readCatalogLimits', () => {
  it('takes 5 s and 512 MB when nothing is set (the sandbox keeps 30 s)', () => {
    expect(readCatalogLimits({})).toEqual({ timeoutMs: 5000, memoryBytes: DEFAULT_CATALOG_MEMORY_BYTES });
    expect(readSandboxOptions({}).timeoutMs).toBe(30_000);
  });

  it('takes its own timeout, capped by the statement timeout', () => {
    expect(readCatalogLimits({ CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT: '20s' }).timeoutMs).toBe(20_000);
    expect(readCatalogLimits({ CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT: '20s', CUBEJS_SQL_API_STATEMENT_TIMEOUT: '3s' }).timeoutMs).toBe(3000);
    expect(readCatalogLimits({ CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT: '800ms', CUBEJS_SQL_API_STATEMENT_TIMEOUT: '3s' }).timeoutMs).toBe(800);
  });

  it('shares the statement timeout with the sandbox, under its new name and its earlier one', () => {
    for (const env of [{ CUBEJS_SQL_API_STATEMENT_TIMEOUT: '1.5s' }, { CUBEJS_SQL_API_SANDBOX_TIMEOUT: '1500ms' }]) {
      expect(readCatalogLimits(env).timeoutMs).toBe(1500);
      expect(readSandboxOptions(env).timeoutMs).toBe(1500);
    }
    // The new name wins when both are set.
    const both = { CUBEJS_SQL_API_STATEMENT_TIMEOUT: '2m', CUBEJS_SQL_API_SANDBOX_TIMEOUT: '5s' };
    expect(readCatalogLimits({ ...both, CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT: '10m' }).timeoutMs).toBe(120_000);
    expect(readSandboxOptions(both).timeoutMs).toBe(120_000);
  });

  it('reads the memory bound in decimal and binary units', () => {
    expect(readCatalogLimits({ CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: '1GiB' }).memoryBytes).toBe(2 ** 30);
    expect(readCatalogLimits({ CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: ' 300 MB ' }).memoryBytes).toBe(300e6);
  });

  it('refuses malformed or useless values with CONFIG_INVALID naming the variable', () => {
    for (const env of [
      { CUBEJS_SQL_API_STATEMENT_TIMEOUT: 'soon' },
      { CUBEJS_SQL_API_STATEMENT_TIMEOUT: '0' },
      { CUBEJS_SQL_API_CATALOG_STATEMENT_TIMEOUT: 'never' },
      { CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: 'lots' },
      { CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: '128MB' },
      { CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT: '536870912' },
    ]) {
      expect(() => readCatalogLimits(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(Object.keys(env)[0]!) }));
    }
  });
});
