import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkGraphqlLimits, DEFAULT_GRAPHQL_LIMITS, type GraphqlLimits } from './graphql-limits.ts';

const LIMITS: GraphqlLimits = { maxCubeQueries: 3, maxAliases: 4, maxDepth: 5, maxTokens: 1000 };
const check = (text: string, operationName?: string, limits = LIMITS) => () => checkGraphqlLimits(parse(text), operationName, limits);
const limitError = (pattern: RegExp) => expect.objectContaining({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(pattern) });

describe('checkGraphqlLimits', () => {
  it('counts cube queries by response key, as execution merges them', () => {
    expect(check('{ cube { a { x } } cube { a { y } } cubeCompare { a { x } } }')).not.toThrow();
    expect(check('{ a: cube { a { x } } b: cube { a { x } } c: cube { a { x } } d: cubeCompare { a { x } } }')).toThrow(limitError(/runs 4 cube queries; at most 3/));
  });

  it('counts cube queries reached through fragments and inline fragments', () => {
    const text = 'query Q { ...F ... on Query { c: cube { a { x } } d: cube { a { x } } } } fragment F on Query { a: cube { a { x } } b: cube { a { x } } }';
    expect(check(text)).toThrow(limitError(/runs 4 cube queries/));
  });

  it('measures only the operation named by operationName', () => {
    const text = 'query Small { cube { a { x } } } query Big { a: cube { x } b: cube { x } c: cube { x } d: cube { x } }';
    expect(check(text, 'Small')).not.toThrow();
    expect(check(text, 'Big')).toThrow(limitError(/cube queries/));
  });

  it('counts aliases with fragments expanded, without exponential work on chained spreads', () => {
    expect(check('{ cube { t { a: x b: x c: x d: x e: x } } }')).toThrow(limitError(/uses 5 aliases; at most 4/));
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on T { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const text = `{ cube { t { ...F0 } } } ${chain} fragment F40 on T { a: x }`;
    const started = performance.now();
    expect(check(text, undefined, { ...LIMITS, maxTokens: 10_000 })).toThrow(limitError(/too many aliases/));
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses selections nested deeper than the limit and survives fragment cycles', () => {
    expect(check('{ a { b { c { d { e } } } } }')).not.toThrow();
    expect(check('{ a { b { c { d { e { f } } } } } }')).toThrow(limitError(/nests 6 levels deep; at most 5/));
    expect(check('{ ...A } fragment A on Query { a { ...B } } fragment B on T { b { ...A } }')).not.toThrow();
  });

  it('lets the standard introspection query through with the defaults', () => {
    expect(() => checkGraphqlLimits(parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })), undefined, DEFAULT_GRAPHQL_LIMITS)).not.toThrow();
  });
});
