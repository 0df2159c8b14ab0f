import { describe, expect, it } from 'vitest';
import { everyValue, refreshKeyValue } from './freshness.ts';

const at = (iso: string) => Date.parse(iso);

describe('freshness rules', () => {
  it('every: an interval changes value once per interval, epoch-aligned', () => {
    expect(everyValue('1 hour', at('2024-01-01T10:00:00Z'))).toBe(everyValue('1 hour', at('2024-01-01T10:59:59.999Z')));
    expect(everyValue('1 hour', at('2024-01-01T10:59:59.999Z'))).not.toBe(everyValue('1 hour', at('2024-01-01T11:00:00Z')));
    expect(everyValue('10 seconds', 25_000)).toBe(String(Math.floor(25_000 / 10_000)));
  });

  it('every: a cron string changes value at each scheduled time, in the key\'s time zone', () => {
    const daily8 = (iso: string, tz?: string) => everyValue('0 8 * * *', at(iso), tz);
    expect(daily8('2024-01-02T07:59:59Z')).toBe(`cron:${at('2024-01-01T08:00:00Z')}`);
    expect(daily8('2024-01-02T08:00:00Z')).toBe(`cron:${at('2024-01-02T08:00:00Z')}`);
    expect(daily8('2024-01-02T20:00:00Z')).toBe(`cron:${at('2024-01-02T08:00:00Z')}`);
    // 08:00 in São Paulo (UTC-3, no DST in 2024) is 11:00 UTC.
    expect(daily8('2024-01-02T10:59:59Z', 'America/Sao_Paulo')).toBe(`cron:${at('2024-01-01T11:00:00Z')}`);
    expect(daily8('2024-01-02T11:00:00Z', 'America/Sao_Paulo')).toBe(`cron:${at('2024-01-02T11:00:00Z')}`);
  });

  it('every: neither an interval nor a cron string is a clear error', () => {
    expect(() => everyValue('sometimes', 0)).toThrow(/Cannot read the refresh key "sometimes"/);
  });

  it('sql: the first row of the refresh query; no key: the default every', async () => {
    const seen: string[] = [];
    const runSql = async (sql: readonly { kind: string; text?: string }[]) => {
      seen.push(sql.map((p) => p.text ?? '').join(''));
      return { columns: [{ name: 'm', type: 'INTEGER' }], data: [[42]], rowCount: 1 };
    };
    const key = { sql: [{ kind: 'text', text: 'SELECT max(id) FROM t' }] } as never;
    expect(await refreshKeyValue(key, 0, '1 hour', runSql as never)).toBe('[42]');
    expect(seen).toEqual(['SELECT max(id) FROM t']);
    expect(await refreshKeyValue(undefined, at('2024-01-01T10:30:00Z'), '1 hour', runSql as never)).toBe(everyValue('1 hour', at('2024-01-01T10:00:00Z')));
  });
});
