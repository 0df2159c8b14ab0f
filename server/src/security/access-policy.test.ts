import { describe, expect, it } from 'vitest';
import type { AccessPolicy, SqlTemplate } from '../model/model-types.ts';
import { evaluateCondition } from './evaluate-condition.ts';
import { allowsMember, applicablePolicies } from './policy-match.ts';
import { bindPolicyValues } from './bind-policy-values.ts';
import { rowAccess } from './row-level-filter.ts';
import { defaultContextToGroups } from './context-groups.ts';
import { readGroupClaim } from './read-group-claim.ts';

const ref = (...path: string[]): SqlTemplate => [{ kind: 'securityContext', path }];
const text = (t: string): SqlTemplate => [{ kind: 'text', text: t }];
const access = (groups: string[], securityContext: Record<string, unknown> = {}) => ({ groups, securityContext });
const storeFilter = { member: 'orders.store', operator: 'equals', values: ['{ securityContext.stores }'] };

describe('conditions', () => {
  it('reads a reference as JavaScript truthiness and its negation in both spellings', () => {
    expect(evaluateCondition(ref('full_time'), { full_time: true })).toBe(true);
    expect(evaluateCondition(ref('full_time'), { full_time: 0 })).toBe(false);
    expect(evaluateCondition(ref('a', 'b'), { a: { b: 'x' } })).toBe(true);
    expect(evaluateCondition(text('{ !securityContext.groups }'), {})).toBe(true);
    expect(evaluateCondition(text('{ not securityContext.groups }'), { groups: ['x'] })).toBe(false);
    expect(evaluateCondition(text('{ !securityContext.groups }'), { groups: [] })).toBe(false);
  });

  it('treats anything else as false, so it never grants access', () => {
    expect(evaluateCondition(text('{ securityContext.a || true }'), {})).toBe(false);
    expect(evaluateCondition(text('true'), {})).toBe(false);
    expect(evaluateCondition([], {})).toBe(false);
  });
});

describe('policy matching', () => {
  const policies: AccessPolicy[] = [
    { group: 'manager', rowLevel: { filters: [storeFilter] } },
    { group: 'analyst,marketing', memberLevel: { includes: '*', excludes: ['orders.email'] } },
    { role: 'auditor', memberLevel: { includes: ['orders.count'], excludes: [] } },
    { group: '*', conditions: [{ if: ref('admin') }] },
  ];

  it('matches by group, groups list, legacy role, and "*" with its conditions', () => {
    expect(applicablePolicies(policies, access(['manager']))).toEqual([policies[0]]);
    expect(applicablePolicies(policies, access(['marketing']))).toEqual([policies[1]]);
    expect(applicablePolicies(policies, access(['auditor']))).toEqual([policies[2]]);
    expect(applicablePolicies(policies, access([], { admin: true }))).toEqual([policies[3]]);
    expect(applicablePolicies(policies, access(['intern']))).toEqual([]);
  });

  it('grants members as the union of applicable policies; no applicable policy grants nothing', () => {
    expect(allowsMember(policies, access(['marketing']), 'orders.email')).toBe(false);
    expect(allowsMember(policies, access(['marketing', 'manager']), 'orders.email')).toBe(true);
    expect(allowsMember(policies, access(['auditor']), 'orders.count')).toBe(true);
    expect(allowsMember(policies, access(['auditor']), 'orders.total')).toBe(false);
    expect(allowsMember(policies, access(['intern']), 'orders.count')).toBe(false);
    expect(allowsMember([], access([]), 'orders.count')).toBe(true);
  });
});

describe('row level', () => {
  it('binds context values: arrays spread, text interpolates, missing or objects are unbindable', () => {
    expect(bindPolicyValues(['{ securityContext.stores }'], { stores: ['A', 'B'] })).toEqual(['A', 'B']);
    expect(bindPolicyValues('{ securityContext.store }', { store: 7 })).toEqual([7]);
    expect(bindPolicyValues(['region-{ securityContext.r }'], { r: 'NE' })).toEqual(['region-NE']);
    expect(bindPolicyValues(['{ securityContext.stores }'], {})).toBeUndefined();
    expect(bindPolicyValues(['{ securityContext.stores }'], { stores: { $ne: 1 } })).toBeUndefined();
    expect(bindPolicyValues(['{ securityContext.stores }'], { stores: [] })).toBeUndefined();
  });

  it('ORs the filters of applicable policies, lets a policy without row_level allow all, and fails closed', () => {
    const manager: AccessPolicy = { group: 'manager', rowLevel: { filters: [storeFilter] } };
    const regional: AccessPolicy = { group: 'regional', rowLevel: { filters: [{ member: 'orders.region', operator: 'equals', values: ['NE'] }] } };
    const nothing: AccessPolicy = { group: 'blocked', rowLevel: { allowAll: false, filters: [] } };
    const everything: AccessPolicy = { group: 'admin' };
    const ctx = { stores: ['A'] };
    expect(rowAccess([manager, regional], access(['manager'], ctx))).toEqual({ kind: 'filter', filter: { member: 'orders.store', operator: 'equals', values: ['A'] } });
    expect(rowAccess([manager, regional], access(['manager', 'regional'], ctx))).toEqual({
      kind: 'filter',
      filter: { or: [{ member: 'orders.store', operator: 'equals', values: ['A'] }, { member: 'orders.region', operator: 'equals', values: ['NE'] }] },
    });
    expect(rowAccess([manager, everything], access(['manager', 'admin'], ctx))).toEqual({ kind: 'all' });
    expect(rowAccess([nothing], access(['blocked']))).toEqual({ kind: 'none' });
    expect(rowAccess([manager], access(['manager'], {}))).toEqual({ kind: 'none' });
    expect(rowAccess([manager], access(['someone-else'], ctx))).toEqual({ kind: 'none' });
    expect(rowAccess([], access([]))).toEqual({ kind: 'all' });
  });
});

describe('default contextToGroups', () => {
  it('reads the groups claim only: an array of strings or one comma-separated string', () => {
    expect(defaultContextToGroups({ securityContext: { groups: ['a', 'b'], role: 'c' } })).toEqual(['a', 'b']);
    expect(defaultContextToGroups({ securityContext: { groups: 'a, b' } })).toEqual(['a', 'b']);
    expect(defaultContextToGroups({ securityContext: { groups: [1, 'x'] } })).toEqual(['x']);
  });

  it('reads every other claim shape as no group (deny by default)', () => {
    for (const securityContext of [
      {},
      { roles: ['gerente_loja'] },
      { role: 'gerente_loja' },
      { group: 'gerente_loja' },
      { groups: '' },
      { groups: { gerente_loja: true } },
      { groups: 7 },
      { 'cognito:groups': ['gerente_loja'] },
      { 'https://loja.example.com/roles': ['gerente_loja'] },
      { app_metadata: { groups: ['gerente_loja'] } },
    ]) {
      expect(defaultContextToGroups({ securityContext }), JSON.stringify(securityContext)).toEqual([]);
    }
  });
});

describe('readGroupClaim', () => {
  it('reads a claim by its exact key (dots, colons, slashes included) or a nested path', () => {
    expect(readGroupClaim({ 'cognito:groups': ['a'] }, 'cognito:groups')).toEqual(['a']);
    expect(readGroupClaim({ 'https://x.example/roles': 'a,b' }, 'https://x.example/roles')).toEqual(['a', 'b']);
    expect(readGroupClaim({ realm_access: { roles: ['a'] } }, ['realm_access', 'roles'])).toEqual(['a']);
    expect(readGroupClaim({ 'realm_access.roles': ['dotted'] }, ['realm_access', 'roles'])).toEqual([]);
  });

  it('reads nothing from missing, inherited or non-string claims', () => {
    expect(readGroupClaim({}, 'roles')).toEqual([]);
    expect(readGroupClaim({ roles: [{ name: 'a' }, null] }, 'roles')).toEqual([]);
    expect(readGroupClaim({ a: ['x'] }, ['a', 'length'])).toEqual([]);
    expect(readGroupClaim({}, ['__proto__', 'constructor'])).toEqual([]);
    expect(readGroupClaim({}, 'toString')).toEqual([]);
  });
});
