import { describe, expect, it } from 'vitest';
import { parseCubeQuery } from '../query/parse-cube-query.ts';
import { isUserError } from '../errors/user-error.ts';
import type { CubeQuery } from '../query/query-types.ts';
import { CheckedTexts } from './checked-texts.ts';

interface CheckedQueries {
  readonly queries: readonly CubeQuery[];
}

/** The REST check: JSON text → the one query schema (as create-rest-router does), counting calls. */
function counted() {
  let calls = 0;
  const check = (text: string) => (): CheckedQueries => {
    calls++;
    const value = JSON.parse(text) as unknown;
    return { queries: [parseCubeQuery(value, { maxLimit: 100 })] };
  };
  return { check, calls: () => calls };
}

describe('CheckedTexts', () => {
  it('checks a text once and hands every later request the same frozen query', () => {
    const texts = new CheckedTexts<CheckedQueries>();
    const { check, calls } = counted();
    const text = JSON.stringify({ measures: ['Orders.count'], filters: [{ member: 'Orders.status', operator: 'equals', values: ['paid'] }], limit: '10' });
    const first = texts.get(text, check(text));
    const second = texts.get(text, check(text));
    expect(calls()).toBe(1);
    expect(second).toBe(first);
    // The schema's verdict, unchanged: digit strings read as numbers.
    expect(first.queries[0]).toEqual(parseCubeQuery(JSON.parse(text)));
    expect(first.queries[0]!.limit).toBe(10);
    expect(Object.isFrozen(first.queries[0])).toBe(true);
    expect(Object.isFrozen(first.queries[0]!.filters)).toBe(true);
    expect(() => (first.queries[0]!.measures as string[]).push('Orders.total')).toThrow(TypeError);
    // Another text (even one equal as JSON) is checked on its own.
    texts.get(` ${text}`, check(` ${text}`));
    expect(calls()).toBe(2);
  });

  it('keeps no refusal: a refused text is checked, and refused with the schema error, every time', () => {
    const texts = new CheckedTexts<CheckedQueries>();
    const { check, calls } = counted();
    const text = JSON.stringify({ measures: ['Orders.count'], limit: 1000 });
    for (let i = 0; i < 2; i++) {
      let caught: unknown;
      try {
        texts.get(text, check(text));
      } catch (error) {
        caught = error;
      }
      expect(isUserError(caught) && caught.code).toBe('LIMIT_EXCEEDED');
    }
    expect(calls()).toBe(2);
  });

  it('does not keep texts over 16 KiB', () => {
    const texts = new CheckedTexts<CheckedQueries>();
    const { check, calls } = counted();
    const text = JSON.stringify({ dimensions: ['Orders.status'], filters: [{ member: 'Orders.status', operator: 'equals', values: ['x'.repeat(17_000)] }] });
    texts.get(text, check(text));
    texts.get(text, check(text));
    expect(calls()).toBe(2);
  });
});
