import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_OPTIONS, memoryBytes, readSandboxOptions } from './sandbox-options.ts';

describe('readSandboxOptions', () => {
  it('takes the defaults when nothing is set, and Cube-style durations and DuckDB sizes when set', () => {
    expect(readSandboxOptions({})).toEqual(DEFAULT_SANDBOX_OPTIONS);
    expect(readSandboxOptions({ CUBEJS_SQL_API_SANDBOX_TIMEOUT: '2s', CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT: '1 GiB' })).toMatchObject({ timeoutMs: 2000, memoryLimit: '1GiB' });
    expect(readSandboxOptions({ CUBEJS_SQL_API_SANDBOX_TIMEOUT: '90' }).timeoutMs).toBe(90_000);
    expect(readSandboxOptions({ CUBEJS_SQL_API_SANDBOX_TIMEOUT: '1.5m' }).timeoutMs).toBe(90_000);
    expect(readSandboxOptions({ CUBEJS_SQL_API_SANDBOX_TIMEOUT: '250ms' }).timeoutMs).toBe(250);
  });

  it('refuses malformed or useless bounds with CONFIG_INVALID naming the variable', () => {
    for (const env of [{ CUBEJS_SQL_API_SANDBOX_TIMEOUT: 'soon' }, { CUBEJS_SQL_API_SANDBOX_TIMEOUT: '0s' }, { CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT: 'lots' }, { CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT: '1MB' }, { CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT: '536870912' }]) {
      expect(() => readSandboxOptions(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(Object.keys(env)[0]!) }));
    }
  });

  it('reads DuckDB memory sizes in decimal and binary units', () => {
    expect(memoryBytes('512MB')).toBe(512e6);
    expect(memoryBytes('512MiB')).toBe(512 * 2 ** 20);
    expect(memoryBytes('2gb')).toBe(2e9);
    expect(memoryBytes('1048576B')).toBe(1048576);
    expect(memoryBytes('1048576')).toBeUndefined(); // DuckDB wants a unit
    expect(memoryBytes('-1MB')).toBeUndefined();
  });
});
