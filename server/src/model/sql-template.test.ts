import { describe, expect, it } from 'vitest';
import { parseSqlTemplate, type ReferenceProblem, type ReferenceScope } from './sql-template.ts';

const scope: ReferenceScope = {
  cube: 'orders',
  hasCube: (name) => name === 'orders' || name === 'users' || name === 'status_cube',
  hasMember: (cube, member) => (cube === 'orders' && ['status', 'users'].includes(member)) || (cube === 'users' && member === 'city'),
};

function parse(sql: string) {
  const problems: ReferenceProblem[] = [];
  return { template: parseSqlTemplate(sql, scope, problems), problems };
}

describe('parseSqlTemplate', () => {
  it('prefers a member of the current cube over a cube of the same name', () => {
    expect(parse('{users}').template).toEqual([{ kind: 'member', path: 'orders.users' }]);
  });

  it('keeps non-reference braces (JSON literals) as text', () => {
    const { template, problems } = parse(`'{"a": 1}' || {CUBE}.x`);
    expect(problems).toEqual([]);
    expect(template).toEqual([{ kind: 'text', text: `'{"a": 1}' || ` }, { kind: 'cube', cube: 'orders' }, { kind: 'text', text: '.x' }]);
  });

  it('tolerates spaces inside braces and reports unsupported contexts', () => {
    expect(parse('{ securityContext.tenant }').template).toEqual([{ kind: 'securityContext', path: ['tenant'] }]);
    expect(parse("{FILTER_PARAMS.orders.created_at.filter('x')}").problems[0]!.message).toMatch(/function-call references/);
    expect(parse('{FILTER_PARAMS.orders.status}').problems[0]!.message).toMatch(/FILTER_PARAMS is not supported/);
  });
});
