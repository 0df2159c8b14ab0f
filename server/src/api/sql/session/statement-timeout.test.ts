import { describe, expect, it } from 'vitest';
import { statementTimeoutMs } from './statement-timeout.ts';

describe('statementTimeoutMs', () => {
  it('reads milliseconds and the units Postgres accepts', () => {
    expect(statementTimeoutMs('0')).toBe(0);
    expect(statementTimeoutMs('2000')).toBe(2000);
    expect(statementTimeoutMs('2s')).toBe(2000);
    expect(statementTimeoutMs('1.5 s')).toBe(1500);
    expect(statementTimeoutMs('500ms')).toBe(500);
    expect(statementTimeoutMs('1min')).toBe(60_000);
    expect(statementTimeoutMs('1h')).toBe(3_600_000);
    expect(statementTimeoutMs('1500us')).toBe(2);
  });

  it('refuses what Postgres refuses with 22023', () => {
    for (const value of ['soon', '-1', '5 parsecs', '', '1e3', '3000000000']) {
      expect(() => statementTimeoutMs(value), value).toThrow(expect.objectContaining({ sqlState: '22023' }));
    }
  });
});
